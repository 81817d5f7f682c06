"""Hand-written replica articles, placed relative to the replica's ``now`` (``hours_ago``).

Written for this project, not copied: realistic in shape and language for each outlet. They
hold on-topic Vietnam–Malaysia defence and maritime stories, the same stories syndicated
across outlets (Bernama -> theSun, Bernama EN <-> BM, VNA on vietnamnews and vietnamplus,
qdnd <-> en.qdnd.vn), hard negatives the default watch must not fire on (football, trade,
tourism, a third country's defence ties with Malaysia only listed, Indonesia's seizures),
ordinary news, and a few articles older than four days. ``on_topic`` is the label that
``tests/replica`` checks against the shipped default watch.
"""

from __future__ import annotations

from replica.model import Story


def _s(
    outlet: str,
    sid: int,
    section: str,
    hours: float,
    on_topic: bool,
    title: str,
    lead: str,
    body: str,
    author: str = "",
    caption: str = "",
    place: str = "",
) -> Story:
    paragraphs = tuple(" ".join(p.split()) for p in body.strip().split("\n\n"))
    return Story(outlet, sid, section, hours, on_topic, title, lead, paragraphs, author, caption, place)


STORIES: list[Story] = [
    # ================================================================ qdnd.vn (Vietnamese)
    _s(
        "qdnd",
        884512,
        "quoc-te/doi-ngoai-quoc-phong",
        3,
        True,
        "Bộ trưởng Quốc phòng Việt Nam và Malaysia hội đàm, ký Bản ghi nhớ hợp tác quốc phòng",
        "Sáng 30-11, tại Hà Nội, Đại tướng Phan Văn Giang, Bộ trưởng Bộ Quốc phòng Việt Nam hội đàm với Bộ trưởng "
        "Quốc phòng Malaysia Mohamed Khaled Nordin đang thăm chính thức Việt Nam.",
        """
        Tại hội đàm, hai Bộ trưởng đánh giá quan hệ quốc phòng Việt Nam - Malaysia tiếp tục phát triển tích cực,
        thực chất, đóng góp quan trọng vào quan hệ Đối tác chiến lược toàn diện giữa hai nước. Hai bên đã duy trì hiệu
        quả các cơ chế đối thoại chính sách quốc phòng, trao đổi đoàn các cấp và hợp tác đào tạo.

        Đại tướng Phan Văn Giang đề nghị hai bên tăng cường hợp tác hải quân, cảnh sát biển, tìm kiếm cứu nạn trên biển
        và chia sẻ thông tin về an ninh hàng hải; phối hợp xử lý nhân văn các vụ việc liên quan đến ngư dân hai nước
        trên tinh thần hữu nghị, phù hợp luật pháp quốc tế.

        Bộ trưởng Quốc phòng Malaysia Mohamed Khaled Nordin khẳng định Malaysia coi trọng quan hệ với Việt Nam và mong
        muốn mở rộng hợp tác trong lĩnh vực công nghiệp quốc phòng, gìn giữ hòa bình Liên hợp quốc và huấn luyện.

        Sau hội đàm, hai Bộ trưởng đã chứng kiến lễ ký Bản ghi nhớ về hợp tác quốc phòng giữa Bộ Quốc phòng Việt Nam
        và Bộ Quốc phòng Malaysia, tạo khuôn khổ pháp lý cho các hoạt động hợp tác trong giai đoạn tới.

        Về vấn đề Biển Đông, hai bên nhất trí giải quyết tranh chấp bằng biện pháp hòa bình trên cơ sở luật pháp quốc
        tế, trong đó có UNCLOS 1982, sớm hoàn tất Bộ quy tắc ứng xử (COC) hiệu quả, thực chất.
        """,
        author="Tin, ảnh: TUẤN SƠN",
        caption="Đại tướng Phan Văn Giang và Bộ trưởng Mohamed Khaled Nordin tại lễ ký Bản ghi nhớ.",
    ),
    _s(
        "qdnd",
        884377,
        "quoc-phong-an-ninh/tin-tuc",
        20,
        True,
        "Tàu Hải quân Hoàng gia Malaysia thăm Cam Ranh",
        "Sáng 29-11, tàu KD Lekiu của Hải quân Hoàng gia Malaysia cập cảng quốc tế Cam Ranh, bắt đầu chuyến thăm "
        "hữu nghị Việt Nam trong 4 ngày.",
        """
        Tham dự lễ đón có đại diện Bộ Tư lệnh Vùng Hải quân 4, Bộ CHQS tỉnh Khánh Hòa và Tùy viên Quốc phòng Malaysia
        tại Việt Nam. Trên tàu có 160 sĩ quan, thủy thủ do Đại tá Hải quân Mohd Azhar Ismail chỉ huy.

        Trong thời gian thăm, đoàn sẽ chào xã giao lãnh đạo Quân chủng Hải quân và tỉnh Khánh Hòa, giao lưu thể thao,
        tham quan Học viện Hải quân. Hải quân Việt Nam và Hải quân Hoàng gia Malaysia cũng sẽ tổ chức diễn tập thông
        tin liên lạc và tìm kiếm cứu nạn khi tàu rời cảng.

        Chuyến thăm góp phần tăng cường hiểu biết, tin cậy lẫn nhau giữa hải quân hai nước, thúc đẩy hợp tác quốc
        phòng Việt Nam - Malaysia ngày càng đi vào chiều sâu.
        """,
        author="Tin, ảnh: HỒNG PHÚC",
        caption="Tàu KD Lekiu cập cảng quốc tế Cam Ranh.",
    ),
    _s(
        "qdnd",
        884430,
        "quoc-te/doi-ngoai-quoc-phong",
        10,
        False,
        "Việt Nam - Ấn Độ thúc đẩy hợp tác quốc phòng",
        "Chiều 29-11, Thượng tướng Hoàng Xuân Chiến, Thứ trưởng Bộ Quốc phòng tiếp Đại sứ Ấn Độ tại Việt Nam.",
        """
        Thượng tướng Hoàng Xuân Chiến đánh giá cao kết quả hợp tác quốc phòng Việt Nam - Ấn Độ thời gian qua, nhất là
        trong đào tạo, công nghệ thông tin, gìn giữ hòa bình và công nghiệp quốc phòng.

        Đại sứ Ấn Độ cho biết Ấn Độ đang mở rộng các chương trình đào tạo tiếng Anh và an ninh mạng cho sĩ quan của
        nhiều nước trong khu vực như Việt Nam, Malaysia, Indonesia và Philippines.

        Hai bên nhất trí phối hợp tổ chức tốt Đối thoại chính sách quốc phòng lần thứ 15 vào năm tới.
        """,
        author="Tin, ảnh: NGỌC HƯNG",
    ),
    _s(
        "qdnd",
        884401,
        "quoc-te/quan-su-the-gioi",
        30,
        False,
        "Indonesia bắt giữ 2 tàu cá Việt Nam tại vùng biển Natuna",
        "Hải quân Indonesia cho biết đã bắt giữ 2 tàu cá cùng 19 ngư dân Việt Nam tại vùng biển Bắc Natuna.",
        """
        Theo thông cáo của Hải quân Indonesia, hai tàu cá bị bắt giữ hôm 28-11 khi đang khai thác hải sản ở khu vực
        gần quần đảo Natuna. Các tàu đã được lai dắt về Ranai để điều tra.

        Bộ Ngoại giao Việt Nam cho biết cơ quan đại diện Việt Nam tại Indonesia đang liên hệ với nhà chức trách sở tại
        để xác minh thông tin và thực hiện công tác bảo hộ công dân.

        Các cơ quan chức năng khuyến cáo ngư dân chấp hành nghiêm quy định, không vi phạm vùng biển nước ngoài.
        """,
    ),
    _s(
        "qdnd",
        884455,
        "quoc-phong-an-ninh/tin-tuc",
        14,
        False,
        "Quân khu 7 tổng kết công tác huấn luyện năm 2026",
        "Ngày 29-11, Bộ Tư lệnh Quân khu 7 tổ chức hội nghị tổng kết công tác huấn luyện, giáo dục chính trị năm 2026.",
        """
        Năm 2026, các cơ quan, đơn vị trong Quân khu đã hoàn thành toàn diện chương trình huấn luyện, 100% nội dung đạt
        yêu cầu, trên 75% khá, giỏi. Các cuộc diễn tập khu vực phòng thủ cấp tỉnh, huyện được tổ chức chặt chẽ, an toàn.

        Phát biểu chỉ đạo, Thiếu tướng Tư lệnh Quân khu yêu cầu các đơn vị tiếp tục đổi mới nội dung, phương pháp huấn
        luyện sát thực tế chiến đấu, gắn huấn luyện với rèn luyện kỷ luật và xây dựng chính quy.

        Dịp này, 24 tập thể và 56 cá nhân được khen thưởng vì có thành tích xuất sắc.
        """,
        author="Tin, ảnh: ĐÌNH THẮNG",
    ),
    _s(
        "qdnd",
        884290,
        "quoc-phong-an-ninh/tin-tuc",
        40,
        False,
        "Bộ CHQS tỉnh Nghệ An chuẩn bị giao nhận quân năm 2027",
        "Bộ CHQS tỉnh Nghệ An vừa tổ chức hội nghị triển khai công tác tuyển chọn và gọi công dân nhập ngũ năm 2027.",
        """
        Theo kế hoạch, toàn tỉnh sẽ tuyển chọn khoảng 3.900 công dân nhập ngũ. Công tác khám sức khỏe được tiến hành
        công khai, dân chủ, đúng luật.

        Đại diện Bộ CHQS tỉnh đề nghị các địa phương làm tốt công tác tuyên truyền, động viên thanh niên hăng hái lên
        đường làm nhiệm vụ bảo vệ Tổ quốc.
        """,
        author="PHAN ANH",
    ),
    _s(
        "qdnd",
        883950,
        "quoc-te/doi-ngoai-quoc-phong",
        122,
        True,
        "Đối thoại chính sách quốc phòng Việt Nam - Malaysia lần thứ 9",
        "Đối thoại chính sách quốc phòng Việt Nam - Malaysia lần thứ 9 diễn ra tại Kuala Lumpur.",
        """
        Hai bên đã trao đổi về tình hình khu vực, an ninh biển và đánh giá kết quả hợp tác quốc phòng giữa hai nước
        trong năm qua, nhất là hợp tác hải quân và đào tạo.

        Hai bên nhất trí thúc đẩy thiết lập đường dây nóng giữa hải quân hai nước và tiếp tục tham vấn lẫn nhau tại
        các diễn đàn đa phương.
        """,
        author="Tin: THU HÀ",
    ),
    _s(
        "qdnd",
        883801,
        "quoc-phong-an-ninh/tin-tuc",
        150,
        False,
        "Khai mạc Hội thao thể thao quốc phòng khu vực phía Bắc",
        "Sáng 25-11, tại Hà Nội, Cục Quân huấn khai mạc Hội thao thể thao quốc phòng khu vực phía Bắc.",
        """
        Hội thao có 18 đoàn với hơn 500 vận động viên tham gia các môn bắn súng, bơi vũ trang, chạy vũ trang và
        việt dã. Các nội dung thi đấu diễn ra trong 5 ngày.
        """,
    ),
    # ================================================================ en.qdnd.vn (English)
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    # ================================================================ vietnamnews.vn (English, VNA)
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    # ================================================================ bernama.com/en
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    # ================================================================ bernama.com/bm
    _s(
        "bernama-bm",
        2627455,
        "am",
        4,
        True,
        "APMM tahan bot nelayan Vietnam, 12 kru di perairan Terengganu",
        "Agensi Penguatkuasaan Maritim Malaysia (APMM) menahan sebuah bot nelayan Vietnam bersama 12 kru kerana "
        "menceroboh perairan negara.",
        """
        Agensi Penguatkuasaan Maritim Malaysia (APMM) menahan sebuah bot nelayan Vietnam bersama 12 kru kerana
        menceroboh dan menangkap ikan tanpa permit di perairan Malaysia, kira-kira 105 batu nautika dari Kuala
        Terengganu semalam.

        Pengarah Maritim Negeri Terengganu Kepten Maritim Muhammad Suffi Mohd Ramli berkata bot itu dipintas kira-kira
        pukul 3 petang oleh kapal peronda KM Bangi ketika Op Jaring Timur.

        "Pemeriksaan mendapati tekong dan kru berusia antara 21 hingga 56 tahun, semuanya warga Vietnam, gagal
        mengemukakan dokumen pengenalan diri atau lesen menangkap ikan yang sah," katanya dalam kenyataan hari ini.

        Beliau berkata bot itu, kira-kira dua tan ikan dan peralatan menangkap ikan bernilai RM1.2 juta dirampas,
        dan semua kru dibawa ke jeti Maritim Kuala Terengganu untuk tindakan lanjut.

        Kes disiasat mengikut Akta Perikanan 1985 dan Akta Imigresen 1959/63.
        """,
        caption="Bot nelayan Vietnam yang ditahan APMM di perairan Kuala Terengganu. - Foto ihsan APMM",
        place="Kuala Terengganu",
    ),
    _s(
        "bernama-bm",
        2627410,
        "am",
        11,
        False,
        "Kedatangan pelancong Vietnam ke Malaysia meningkat 30 peratus",
        "Kedatangan pelancong dari Vietnam ke Malaysia meningkat 30 peratus bagi tempoh Januari hingga Oktober.",
        """
        Kedatangan pelancong dari Vietnam ke Malaysia meningkat 30 peratus bagi tempoh Januari hingga Oktober tahun
        ini berbanding tempoh sama tahun lepas, kata Tourism Malaysia.

        Ketua Pengarahnya berkata penerbangan terus baharu dari Hanoi dan Ho Chi Minh City ke Kuala Lumpur dan Kota
        Kinabalu menyumbang kepada peningkatan itu.

        Tourism Malaysia akan mengadakan promosi jualan di Vietnam menjelang Tahun Melawat Malaysia.
        """,
        place="Kuala Lumpur",
    ),
    _s(
        "bernama-bm",
        2627380,
        "sukan",
        20,
        False,
        "Harimau Malaya tewas 1-2 kepada Vietnam di Hanoi",
        "Skuad kebangsaan Harimau Malaya tewas 1-2 kepada Vietnam dalam perlawanan pertama separuh akhir.",
        """
        Skuad kebangsaan Harimau Malaya tewas 1-2 kepada Vietnam dalam perlawanan pertama separuh akhir Kejohanan
        ASEAN di Stadium Nasional My Dinh malam tadi.

        Penyerang Faisal Halim meletakkan Malaysia di hadapan pada minit ke-23 sebelum tuan rumah menjaringkan dua
        gol pada babak kedua.

        Jurulatih kebangsaan berkata pasukannya masih berpeluang pada perlawanan kedua di Bukit Jalil.
        """,
        place="Hanoi",
    ),
    _s(
        "bernama-bm",
        2627340,
        "politik",
        30,
        False,
        "Dewan Rakyat lulus Rang Undang-Undang Perbekalan 2027",
        "Dewan Rakyat hari ini meluluskan Rang Undang-Undang Perbekalan 2027 di peringkat jawatankuasa.",
        """
        Dewan Rakyat hari ini meluluskan Rang Undang-Undang Perbekalan 2027 di peringkat jawatankuasa selepas dibahas
        selama 21 hari.

        Rang undang-undang itu akan dibentangkan di Dewan Negara minggu depan.
        """,
        place="Kuala Lumpur",
    ),
    _s(
        "bernama-bm",
        2627430,
        "dunia",
        9,
        False,
        "Gempa bumi 6.1 magnitud gegar selatan Filipina",
        "Gempa bumi berukuran 6.1 magnitud menggegarkan selatan Filipina awal pagi ini.",
        """
        Gempa bumi berukuran 6.1 magnitud menggegarkan wilayah Mindanao di selatan Filipina awal pagi ini, namun
        tiada laporan kemusnahan besar setakat ini.

        Agensi seismologi negara itu berkata gegaran susulan dijangka berlaku.
        """,
        place="Manila",
    ),
    _s(
        "bernama-bm",
        2626790,
        "am",
        125,
        True,
        "APMM dan Pengawal Pantai Vietnam bincang isu pencerobohan nelayan",
        "APMM dan Pengawal Pantai Vietnam mengadakan perbincangan mengenai pencerobohan nelayan Vietnam.",
        """
        Agensi Penguatkuasaan Maritim Malaysia (APMM) dan Pengawal Pantai Vietnam mengadakan perbincangan mengenai
        pencerobohan nelayan Vietnam di perairan Malaysia serta perkongsian maklumat di laut.

        Kedua-dua pihak bersetuju mengadakan mesyuarat berkala mengenai perkara itu.
        """,
        place="Putrajaya",
    ),
    # ================================================================ thesun.my (English)
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    _s(
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
    # ================================================================ vietnamplus.vn (Vietnamese, VNA)
    _s(
        "vietnamplus",
        1078812,
        "chinhtri",
        5,
        True,
        "Cảnh sát biển Việt Nam và Malaysia thiết lập đường dây nóng xử lý sự cố trên biển",
        "Ngày 29/11, Cảnh sát biển Việt Nam và Cơ quan Thực thi Hàng hải Malaysia (MMEA) đã khai trương đường dây "
        "nóng để xử lý các sự cố trên biển và phối hợp tìm kiếm cứu nạn.",
        """
        Lễ khai trương diễn ra tại Hà Nội với sự tham dự của Trung tướng Lê Quang Đạo, Tư lệnh Cảnh sát biển Việt
        Nam, và Đô đốc Datuk Mohd Rosli Abdullah, Tổng Giám đốc Cơ quan Thực thi Hàng hải Malaysia.

        Theo thỏa thuận, lực lượng cảnh sát biển hai nước sẽ kịp thời trao đổi thông tin về tàu cá gặp nạn, tàu bị
        bắt giữ do khai thác trong vùng biển của phía bên kia và việc đối xử nhân đạo với ngư dân.

        Trung tướng Lê Quang Đạo cho biết đường dây nóng là bước đi cụ thể trong hợp tác hàng hải giữa Việt Nam và
        Malaysia, giúp hai bên ngăn ngừa hiểu lầm trên biển. Tổng Giám đốc MMEA cho biết hai cơ quan cũng sẽ tổ chức
        các cuộc gặp định kỳ và huấn luyện chung về thực thi pháp luật trên biển.

        Trong 5 năm qua, nhà chức trách Malaysia đã bắt giữ hàng chục tàu cá Việt Nam tại vùng biển ngoài khơi
        Terengganu và Kelantan; hai nước đã phối hợp để sớm đưa các thuyền viên về nước.
        """,
        author="TTXVN/Vietnam+",
        caption="Lễ khai trương đường dây nóng giữa Cảnh sát biển hai nước. (Ảnh: TTXVN)",
    ),
    _s(
        "vietnamplus",
        1078750,
        "xahoi",
        18,
        True,
        "Malaysia trao trả 26 ngư dân Việt Nam bị bắt giữ",
        "Ngày 29/11, 26 ngư dân Việt Nam bị lực lượng chức năng Malaysia bắt giữ do khai thác hải sản trái phép đã "
        "được trao trả tại Tp. Hồ Chí Minh.",
        """
        Các ngư dân quê ở Kiên Giang, Cà Mau và Bà Rịa - Vũng Tàu, đều là thuyền viên của 3 tàu cá bị Cơ quan Thực thi
        Hàng hải Malaysia bắt giữ hồi tháng 8 ngoài khơi bang Terengganu.

        Đại sứ quán Việt Nam tại Malaysia đã phối hợp với nhà chức trách Malaysia làm thủ tục để các ngư dân được trả
        tự do và hồi hương sau khi chấp hành xong bản án.

        Đại diện Bộ đội Biên phòng tiếp nhận và bàn giao các ngư dân cho chính quyền địa phương, đồng thời tuyên
        truyền, vận động bà con không vi phạm vùng biển nước ngoài.
        """,
        author="TTXVN/Vietnam+",
    ),
    _s(
        "vietnamplus",
        1078790,
        "dulich",
        10,
        False,
        "Khách du lịch Malaysia đến Đà Nẵng tăng mạnh",
        "Lượng khách du lịch Malaysia đến Đà Nẵng trong 10 tháng năm 2026 tăng hơn 40% so với cùng kỳ.",
        """
        Sở Du lịch Đà Nẵng cho biết thành phố đã đón khoảng 180.000 lượt khách Malaysia, nhờ các đường bay thẳng
        từ Kuala Lumpur do nhiều hãng hàng không khai thác.

        Du khách Malaysia ưa chuộng các sản phẩm ẩm thực halal, mua sắm và du lịch biển. Thành phố sẽ tổ chức
        chương trình xúc tiến du lịch tại Kuala Lumpur vào tháng tới.
        """,
        author="Vietnam+",
    ),
    _s(
        "vietnamplus",
        1078780,
        "thethao",
        12,
        False,
        "Đội tuyển Việt Nam ngược dòng thắng Malaysia ở bán kết lượt đi",
        "Đội tuyển Việt Nam đã ngược dòng đánh bại Malaysia 2-1 trên sân vận động Mỹ Đình tối 28/11.",
        """
        Malaysia mở tỷ số ở phút 23 nhờ công của tiền đạo Faisal Halim. Sang hiệp hai, Tiến Linh đánh đầu gỡ hòa và
        Quang Hải ấn định chiến thắng bằng cú sút phạt.

        Huấn luyện viên Kim Sang-sik cho biết đội tuyển vẫn phải thận trọng ở trận lượt về tại Kuala Lumpur.
        """,
        author="Vietnam+",
    ),
    _s(
        "vietnamplus",
        1078720,
        "kinhte",
        27,
        False,
        "Kim ngạch thương mại Việt Nam - Malaysia dự kiến đạt 20 tỷ USD",
        "Kim ngạch thương mại song phương Việt Nam - Malaysia năm 2026 dự kiến vượt 20 tỷ USD.",
        """
        Theo Bộ Công Thương, Việt Nam xuất khẩu sang Malaysia chủ yếu gạo, điện thoại, sắt thép và thủy sản; nhập khẩu
        xăng dầu, dầu cọ và linh kiện điện tử.

        Hai bên sẽ hợp tác về chứng nhận halal và thương mại điện tử, đơn giản hóa thủ tục hải quan cho doanh nghiệp.
        """,
        author="Vietnam+",
    ),
    _s(
        "vietnamplus",
        1078830,
        "xahoi",
        2,
        False,
        "Không khí lạnh tăng cường, Bắc Bộ rét đậm",
        "Từ đêm nay, không khí lạnh tăng cường ảnh hưởng đến các tỉnh Bắc Bộ, nhiệt độ thấp nhất 10-13 độ C.",
        """
        Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết vùng núi có nơi rét hại dưới 8 độ C. Hà Nội trời rét,
        có mưa nhỏ rải rác.

        Người dân cần giữ ấm cho trẻ nhỏ, người cao tuổi và chú ý bảo vệ gia súc, cây trồng.
        """,
        author="Vietnam+",
    ),
    _s(
        "vietnamplus",
        1078300,
        "chinhtri",
        115,
        True,
        "Hải quân Việt Nam và Malaysia diễn tập tìm kiếm cứu nạn trên biển",
        "Tàu Hải quân Việt Nam và Hải quân Hoàng gia Malaysia đã diễn tập tìm kiếm cứu nạn ở vùng biển phía Nam.",
        """
        Cuộc diễn tập ngoài khơi Côn Đảo gồm các nội dung thông tin liên lạc, cơ động đội hình và cứu người bị nạn.
        Đây là lần đầu tiên trong năm hải quân hai nước tổ chức diễn tập.

        Chỉ huy hải quân hai nước cho biết cuộc diễn tập góp phần tăng cường hợp tác hàng hải và sự tin cậy giữa
        Việt Nam và Malaysia.
        """,
        author="TTXVN/Vietnam+",
    ),
]
