"""Hand-written articles of the vietnamnews.vn sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
        "vietnamnews",
        1791204,
        "politics-laws",
        5,
        True,
        "Viet Nam, Malaysia coast guards launch hotline to handle incidents at sea",
        "The Viet Nam Coast Guard and the Malaysian Maritime Enforcement Agency (MMEA) on Sunday launched a direct "
        "hotline to handle incidents at sea and coordinate search and rescue.",
        """
        HA NOI — The Viet Nam Coast Guard and the Malaysian Maritime Enforcement Agency (MMEA) on Sunday launched a
        direct hotline to handle incidents at sea and coordinate search and rescue operations.

        The hotline was opened at a ceremony in Ha Noi attended by Lieutenant General Le Quang Dao, Commander of the
        Viet Nam Coast Guard, and MMEA Director-General Admiral Datuk Mohd Rosli Abdullah.

        Under the arrangement, the two coast guards will promptly share information on fishing boats in distress,
        on vessels detained for fishing in the other side's waters and on humanitarian treatment of fishermen.

        General Dao said the hotline was a concrete step in maritime cooperation between Viet Nam and Malaysia and
        would help the two sides prevent misunderstandings at sea. The MMEA chief said both agencies would also hold
        regular meetings and joint training in maritime law enforcement.

        Over the past five years, Malaysian authorities detained dozens of Vietnamese fishing boats in waters off
        Terengganu and Kelantan, and the two countries have worked to repatriate their crews quickly. — VNS
        """,
        caption="Officers of the two coast guards at the hotline launch in Ha Noi. VNA/VNS Photo",
    ),
    story(
        "vietnamnews",
        1791188,
        "sports",
        12,
        False,
        "Viet Nam beat Malaysia 2-1 in ASEAN Championship semi-final first leg",
        "Viet Nam came from behind to beat Malaysia 2-1 at My Dinh National Stadium on Saturday night.",
        """
        Malaysia took the lead through striker Faisal Halim in the 23rd minute, but Viet Nam's attack broke
        through after the break. Nguyen Tien Linh equalised with a header and Nguyen Quang Hai scored the winner
        from a free kick.

        Malaysia's defence held firm for long periods, and goalkeeper Syihan Hazmi made several fine saves.

        Head coach Kim Sang-sik said his players still had to be careful in the second leg in Kuala Lumpur on
        Tuesday. — VNS
        """,
    ),
    story(
        "vietnamnews",
        1791150,
        "economy",
        22,
        False,
        "Viet Nam-Malaysia trade set to reach US$20 billion this year",
        "Two-way trade between Viet Nam and Malaysia is expected to exceed US$20 billion in 2026, the Ministry of "
        "Industry and Trade said.",
        """
        Viet Nam mainly exports rice, phones, steel and seafood to Malaysia and imports petroleum products, palm oil
        and electronic components.

        At a business forum in HCM City, officials of the two countries said they would cooperate on halal
        certification and e-commerce and simplify customs procedures for small businesses.

        Malaysia is Viet Nam's third-largest trading partner in ASEAN. — VNS
        """,
    ),
    story(
        "vietnamnews",
        1791120,
        "society",
        33,
        False,
        "Indonesia detains two Vietnamese fishing boats near Natuna",
        "The Indonesian Navy has detained two Vietnamese fishing boats with 19 crew near the Natuna Islands.",
        """
        The boats were seized on Friday and towed to Ranai for investigation, the Indonesian Navy said.

        The Vietnamese embassy in Jakarta is working with Indonesian authorities to verify the case and protect the
        fishermen's rights. Officials urged fishermen not to enter foreign waters. — VNS
        """,
    ),
    story(
        "vietnamnews",
        1791199,
        "society",
        9,
        False,
        "Ha Noi air quality worsens as cold front arrives",
        "Air quality in Ha Noi fell to an unhealthy level on Sunday morning as a cold front brought still air.",
        """
        The air quality index at several monitoring stations exceeded 200. Experts advised the elderly and children
        to limit outdoor activities.

        The city plans to water roads more often and inspect construction sites. — VNS
        """,
    ),
    story(
        "vietnamnews",
        1791090,
        "politics-laws",
        40,
        False,
        "National Assembly adopts revised Law on Land",
        "The National Assembly on Friday adopted the revised Law on Land with 92 per cent of deputies voting "
        "in favour.",
        """
        The law simplifies procedures for land allocation and compensation and takes effect on July 1 next year.

        Deputies said the changes would help unlock investment while protecting people's rights. — VNS
        """,
    ),
    story(
        "vietnamnews",
        1790512,
        "politics-laws",
        110,
        True,
        "Viet Nam, Malaysia navies conduct joint exercise in southern waters",
        "Ships of the Viet Nam People's Navy and the Royal Malaysian Navy conducted a joint search and rescue "
        "exercise.",
        """
        The exercise, in waters off Con Dao Island, rehearsed communications, manoeuvres and a rescue of sailors in
        distress. It was the first such exercise between the two navies this year.

        Commanders of the two navies said the drill would strengthen maritime cooperation and trust between Viet Nam
        and Malaysia. — VNS
        """,
    ),
]
