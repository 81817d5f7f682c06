"""Hand-written articles of the bernama.com/en sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
        "bernama-en",
        2627451,
        "general",
        4,
        True,
        "MMEA detains Vietnamese fishing boat, 12 crew off Terengganu",
        "The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese fishing boat with 12 crew members for "
        "encroaching in Malaysian waters.",
        """
        The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese fishing boat with 12 crew members for
        encroaching and fishing without a valid permit in Malaysian waters, about 105 nautical miles off Kuala
        Terengganu yesterday.

        Terengganu Maritime director Maritime Captain Muhammad Suffi Mohd Ramli said the boat was intercepted at
        about 3 pm by the patrol vessel KM Bangi during Op Jaring Timur.

        "Inspection found the skipper and crew, aged between 21 and 56, all Vietnamese nationals, failed to produce
        any identification documents or a valid fishing licence," he said in a statement today.

        He said the boat, about two tonnes of fish and fishing equipment worth an estimated RM1.2 million were
        seized, and all the crew were taken to the Kuala Terengganu Maritime jetty for further action.

        The case is being investigated under the Fisheries Act 1985 and the Immigration Act 1959/63.
        """,
        caption="The Vietnamese fishing boat detained by MMEA off Kuala Terengganu. - Photo courtesy of MMEA",
        place="Kuala Terengganu",
    ),
    story(
        "bernama-en",
        2627390,
        "politics",
        24,
        True,
        "Malaysia, Vietnam to boost defence industry cooperation - Khaled",
        "Malaysia and Vietnam have agreed to step up defence industry cooperation, said Defence Minister Datuk Seri "
        "Mohamed Khaled Nordin.",
        """
        Malaysia and Vietnam have agreed to step up defence industry cooperation, including joint development of
        patrol vessels and the maintenance of naval ships, said Defence Minister Datuk Seri Mohamed Khaled Nordin.

        He said the matter was discussed with his Vietnamese counterpart, General Phan Van Giang, ahead of his
        official visit to Hanoi.

        "Both countries share an interest in maritime security in the South China Sea, and defence cooperation
        between our armed forces has grown steadily," he told reporters after launching a defence industry seminar
        here today.

        Khaled said a memorandum of understanding on defence cooperation was expected to be signed during the visit.
        """,
        place="Kuala Lumpur",
    ),
    story(
        "bernama-en",
        2627420,
        "business",
        15,
        False,
        "Malaysia-Vietnam trade expected to hit US$20 bln this year - MITI",
        "Bilateral trade between Malaysia and Vietnam is expected to exceed US$20 billion this year.",
        """
        Bilateral trade between Malaysia and Vietnam is expected to exceed US$20 billion this year, driven by
        electrical and electronic products, palm oil and rice, said the Ministry of Investment, Trade and Industry.

        Its deputy minister said both countries were also working to expand halal trade and digital payments linkages.

        Vietnam was Malaysia's fifth-largest trading partner among ASEAN member states last year.
        """,
        place="Kuala Lumpur",
    ),
    story(
        "bernama-en",
        2627360,
        "world",
        28,
        False,
        "Indonesian Navy seizes two Vietnamese fishing boats near Natuna",
        "The Indonesian Navy seized two Vietnamese fishing boats and detained 19 crew near the Natuna Islands.",
        """
        The Indonesian Navy seized two Vietnamese fishing boats and detained 19 crew members in the North Natuna Sea
        on Friday, a navy spokesman said.

        The boats were towed to Ranai in the Riau Islands province for further investigation.
        """,
        place="Jakarta",
    ),
    story(
        "bernama-en",
        2627440,
        "politics",
        7,
        False,
        "Dewan Rakyat passes Supply Bill 2027 at committee stage",
        "The Dewan Rakyat today passed the Supply Bill 2027 at the committee stage after 21 days of debate.",
        """
        The Dewan Rakyat today passed the Supply Bill 2027 at the committee stage after 21 days of debate, with a
        majority voice vote.

        The bill will now be tabled in the Dewan Negara for debate next week.
        """,
        place="Kuala Lumpur",
    ),
    story(
        "bernama-en",
        2627300,
        "general",
        36,
        False,
        "Number of flood evacuees in Kelantan rises to 4,120",
        "The number of flood victims in Kelantan rose to 4,120 this morning.",
        """
        The number of flood victims in Kelantan rose to 4,120 people from 1,302 families this morning, compared with
        2,870 last night.

        The state Social Welfare Department said 38 relief centres had been opened in Pasir Mas, Tumpat and Kota
        Bharu.
        """,
        place="Kota Bharu",
    ),
    story(
        "bernama-en",
        2626800,
        "general",
        105,
        True,
        "MMEA, Vietnam Coast Guard hold talks on fishermen encroachment",
        "The Malaysian Maritime Enforcement Agency and the Vietnam Coast Guard held talks on encroachment by "
        "fishermen.",
        """
        The Malaysian Maritime Enforcement Agency (MMEA) and the Vietnam Coast Guard held talks on encroachment by
        Vietnamese fishermen in Malaysian waters and on sharing information at sea.

        MMEA said both agencies agreed to hold regular meetings on the matter.
        """,
        place="Putrajaya",
    ),
]
