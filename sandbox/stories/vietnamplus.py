"""Hand-written articles of the vietnamplus.vn sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
