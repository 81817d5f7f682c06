"""Hand-written articles of the thesun.my sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
        "thesun",
        14051771,
        "malaysia-news",
        3.5,
        True,
        "MMEA detains Vietnamese fishing boat, 12 crew off Terengganu",
        "The Malaysian Maritime Enforcement Agency detained a Vietnamese fishing boat with 12 crew members for "
        "encroaching in Malaysian waters.",
        """
        KUALA TERENGGANU: The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese fishing boat with
        12 crew members for encroaching and fishing without a valid permit in Malaysian waters, about 105 nautical
        miles off Kuala Terengganu yesterday.

        Terengganu Maritime director Maritime Captain Muhammad Suffi Mohd Ramli said the boat was intercepted at
        about 3 pm by the patrol vessel KM Bangi during Op Jaring Timur.

        "Inspection found the skipper and crew, aged between 21 and 56, all Vietnamese nationals, failed to produce
        any identification documents or a valid fishing licence," he said in a statement today.

        He said the boat, about two tonnes of fish and fishing equipment worth an estimated RM1.2 million were
        seized, and all the crew were taken to the Kuala Terengganu Maritime jetty for further action.

        The case is being investigated under the Fisheries Act 1985 and the Immigration Act 1959/63. - Bernama
        """,
        author="Bernama",
        caption="The Vietnamese fishing boat detained off Kuala Terengganu. - MMEA pic",
    ),
    story(
        "thesun",
        14051650,
        "malaysia-news",
        16,
        True,
        "Vietnamese skippers fined RM200,000 each for fishing in Malaysian waters",
        "Two Vietnamese skippers were fined RM200,000 each by the Sessions Court in Kuantan for fishing illegally in "
        "Malaysian waters.",
        """
        KUANTAN: Two Vietnamese skippers were fined RM200,000 each by the Sessions Court here today after pleading
        guilty to fishing without a permit in Malaysian waters off Pahang last month.

        Judge Noor Azlina Ahmad ordered the two men, aged 38 and 45, to serve 12 months' jail if they fail to pay.

        They were detained by the Malaysian Maritime Enforcement Agency about 70 nautical miles off Kuantan on
        October 28, together with 23 crew members, who were handed over to the Immigration Department.

        The prosecution said the two boats and their catch had been forfeited under the Fisheries Act 1985.
        """,
        author="Alif Rahman",
    ),
    story(
        "thesun",
        14051700,
        "sport",
        13,
        False,
        "Harimau Malaya fall 2-1 to Vietnam in semi-final first leg",
        "Malaysia's defence crumbled in the second half as Vietnam came from behind to win 2-1 in Hanoi.",
        """
        HANOI: Harimau Malaya took the lead through Faisal Halim in the 23rd minute but conceded twice after the break
        in the ASEAN Championship semi-final first leg at My Dinh National Stadium last night.

        Head coach said Malaysia would attack from the first whistle in the second leg at Bukit Jalil on Tuesday.
        Goalkeeper Syihan Hazmi was named Malaysia's best player.
        """,
        author="Faiz Ibrahim",
    ),
    story(
        "thesun",
        14051740,
        "malaysia-news",
        6,
        False,
        "Traffic on Federal Highway to be diverted for LRT works",
        "Traffic on a stretch of the Federal Highway near Subang will be diverted for three weekends.",
        """
        PETALING JAYA: Traffic on a stretch of the Federal Highway near Subang will be diverted over the next three
        weekends for LRT construction works, the Public Works Department said.

        Motorists are advised to use alternative routes or plan their journeys early.
        """,
    ),
    story(
        "thesun",
        14051600,
        "business",
        38,
        False,
        "Ringgit opens higher against US dollar",
        "The ringgit opened higher against the US dollar on Monday on firmer crude oil prices.",
        """
        KUALA LUMPUR: The ringgit opened higher against the US dollar on Monday, supported by firmer crude oil prices
        and positive sentiment in regional markets.

        At 9 am, the local note stood at 4.2150/2200 against the greenback compared with Friday's close.
        """,
    ),
    story(
        "thesun",
        14050900,
        "malaysia-news",
        140,
        False,
        "Penang to add 50 electric buses next year",
        "Penang will add 50 electric buses to its public transport fleet next year.",
        """
        GEORGE TOWN: Penang will add 50 electric buses to its public transport fleet next year, the state executive
        councillor for transport said. The buses will serve routes on the island and in Seberang Perai.
        """,
    ),
]
