"""Hand-written articles of the qdnd.vn sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
]
