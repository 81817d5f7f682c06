"""Hand-written articles of the en.qdnd.vn sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
        "qdnd-en",
        596120,
        "military/intl-relations-and-cooperation",
        2.5,
        True,
        "Vietnamese, Malaysian defence ministers hold talks, sign MoU on defence cooperation",
        "General Phan Van Giang, Minister of National Defence, held talks in Hanoi on November 30 with Malaysia's "
        "Defence Minister Mohamed Khaled Nordin, who is on an official visit to Vietnam.",
        """
        At the talks, the two ministers said that Vietnam-Malaysia defence cooperation has developed positively and
        practically, contributing to the Comprehensive Strategic Partnership between the two countries. Both sides
        have maintained the defence policy dialogue, delegation exchanges and training cooperation.

        General Giang proposed that the two sides step up cooperation between their navies and coast guards, in
        search and rescue at sea and in sharing information on maritime security, and handle incidents involving
        fishermen of the two countries in a humane spirit and in line with international law.

        Defence Minister Mohamed Khaled Nordin affirmed that Malaysia values its relations with Vietnam and wishes to
        expand cooperation in defence industry, UN peacekeeping and training.

        After the talks, the two ministers witnessed the signing of a memorandum of understanding on defence
        cooperation between the Ministry of National Defence of Vietnam and the Ministry of Defence of Malaysia,
        which provides a legal framework for cooperation in the coming period.

        On the East Sea issue, the two sides agreed to settle disputes by peaceful means on the basis of
        international law, including UNCLOS 1982, and to soon conclude an effective Code of Conduct.
        """,
        author="Translated by Trung Thanh",
        caption="General Phan Van Giang and Defence Minister Mohamed Khaled Nordin at the signing ceremony",
    ),
    story(
        "qdnd-en",
        596011,
        "military/news",
        19,
        True,
        "Royal Malaysian Navy ship visits Cam Ranh",
        "The Royal Malaysian Navy ship KD Lekiu docked at Cam Ranh International Port in Khanh Hoa province on "
        "November 29, beginning a four-day friendship visit to Vietnam.",
        """
        Welcoming the ship were representatives of the Naval Region 4 Command, the Khanh Hoa Provincial Military
        Command and the Malaysian Defence Attaché in Vietnam. The ship carries 160 officers and sailors.

        During the visit, the delegation will pay courtesy calls on leaders of the Vietnam People's Navy and Khanh
        Hoa province, play friendly sports matches and visit the Naval Academy. The two navies will conduct a
        communications and search and rescue exercise when the ship leaves port.

        The visit helps strengthen mutual understanding and trust between the two navies and deepen Vietnam-Malaysia
        defence cooperation.
        """,
        author="Translated by Mai Huong",
    ),
    story(
        "qdnd-en",
        596050,
        "military/intl-relations-and-cooperation",
        8,
        False,
        "Vietnam, Australia deepen defence cooperation",
        "Senior Lieutenant General Hoang Xuan Chien, Deputy Minister of National Defence, received the Australian "
        "Ambassador to Vietnam in Hanoi on November 29.",
        """
        The two sides agreed to deepen defence cooperation in training, UN peacekeeping, military medicine and
        English language programmes.

        The Australian ambassador said Australia also runs maritime security training courses for officers from
        Vietnam, Malaysia, Indonesia and the Philippines under its regional defence engagement programme.

        General Chien thanked Australia for its support to Vietnam's peacekeeping forces.
        """,
        author="Translated by Thu Nguyen",
    ),
    story(
        "qdnd-en",
        595980,
        "military/news",
        26,
        False,
        "Military Region 7 reviews 2026 training",
        "The Military Region 7 Command held a conference on November 29 to review military training and political "
        "education in 2026.",
        """
        All units in the military region completed their training programmes, with over 75 percent of contents rated
        good or excellent. Provincial and district defensive zone exercises were conducted safely.

        The commander asked units to renew training contents and methods to suit combat reality and to combine
        training with discipline building. On the occasion, 24 collectives and 56 individuals were commended.
        """,
        author="Translated by Hai Yen",
    ),
    story(
        "qdnd-en",
        595902,
        "military/news",
        44,
        False,
        "Nghe An prepares for 2027 military recruitment",
        "The Nghe An Provincial Military Command has launched preparations to select and call up young citizens for "
        "military service in 2027.",
        """
        The province plans to select about 3,900 citizens. Health checks will be carried out openly and in
        accordance with the law, officials said.

        Localities were asked to step up communication work and encourage young people to join the army.
        """,
    ),
    story(
        "qdnd-en",
        595400,
        "military/intl-relations-and-cooperation",
        128,
        True,
        "Vietnam, Malaysia hold 9th defence policy dialogue",
        "The 9th Vietnam-Malaysia Defence Policy Dialogue took place in Kuala Lumpur.",
        """
        The two sides exchanged views on the regional situation and maritime security and reviewed defence
        cooperation between the two countries over the past year, especially naval cooperation and training.

        They agreed to work towards a hotline between the two navies and to keep consulting each other at
        multilateral forums.
        """,
    ),
]
