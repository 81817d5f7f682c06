"""Generated off-topic filler articles (``extra_articles=N``) for throughput benchmarks.

Cheap and deterministic: sentences drawn from small per-language pools with a random town,
number and weekday in each, so no two fillers are near-duplicates of each other and none
mentions the watched subject.
"""

from __future__ import annotations

import random

from sandbox.model import Story

_POOLS: dict[str, dict[str, list[str]]] = {
    "en": {
        "topic": [
            "{town} opens new bus depot",
            "{town} council approves {n} new street lights",
            "Rain expected over {town} until {day}",
            "{town} hospital adds {n} beds to its children's ward",
            "Night market returns to {town} on {day}",
            "{town} schools to receive {n} new computers",
            "Water supply in {town} to be cut for {n} hours on {day}",
            "{town} library extends opening hours",
        ],
        "sentence": [
            "Officials in {town} said the work would be finished within {n} weeks.",
            "About {n} residents attended a briefing on {day} morning.",
            "The project in {town} is funded by the district budget of {n} million.",
            "Traders said business had picked up by {n} per cent since last month.",
            "A spokesman said the schedule for {day} would be posted online.",
            "Motorists were advised to use alternative roads near {town}.",
            "The committee will review progress again in {n} days.",
            "Volunteers from {town} helped to clean the riverside on {day}.",
            "Local radio in {town} reported {n} calls from listeners about the change.",
            "The district office said {n} applications had been received so far.",
        ],
        "towns": [
            "Ipoh",
            "Seremban",
            "Melaka",
            "Da Lat",
            "Hue",
            "Can Tho",
            "Alor Setar",
            "Kangar",
            "Vinh",
            "Nha Trang",
        ],
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    },
    "vi": {
        "topic": [
            "{town} khánh thành nhà văn hóa mới",
            "{town} lắp thêm {n} đèn chiếu sáng công cộng",
            "Mưa lớn ở {town} kéo dài đến {day}",
            "Bệnh viện {town} bổ sung {n} giường bệnh nhi",
            "Chợ đêm {town} hoạt động trở lại từ {day}",
            "Trường học ở {town} nhận {n} máy tính mới",
            "{town} tạm ngừng cấp nước {n} giờ vào {day}",
        ],
        "sentence": [
            "Lãnh đạo {town} cho biết công trình sẽ hoàn thành trong {n} tuần.",
            "Khoảng {n} người dân đã dự buổi gặp mặt sáng {day}.",
            "Dự án ở {town} được đầu tư {n} tỷ đồng từ ngân sách địa phương.",
            "Tiểu thương cho biết lượng khách đã tăng {n}% so với tháng trước.",
            "Lịch cụ thể cho ngày {day} sẽ được thông báo trên cổng thông tin.",
            "Người đi đường được khuyến cáo đi đường khác quanh {town}.",
            "Ban chỉ đạo sẽ kiểm tra tiến độ sau {n} ngày.",
            "Đoàn thanh niên {town} dọn vệ sinh bờ sông vào {day}.",
            "Đã có {n} hồ sơ được tiếp nhận tính đến nay.",
        ],
        "towns": ["Đà Lạt", "Huế", "Cần Thơ", "Vinh", "Nha Trang", "Quy Nhơn", "Thái Nguyên", "Nam Định"],
        "days": ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"],
    },
    "ms": {
        "topic": [
            "{town} buka depoh bas baharu",
            "Majlis {town} luluskan {n} lampu jalan baharu",
            "Hujan dijangka di {town} hingga {day}",
            "Hospital {town} tambah {n} katil wad kanak-kanak",
            "Pasar malam {town} kembali beroperasi {day} ini",
            "Sekolah di {town} terima {n} komputer baharu",
            "Bekalan air di {town} terputus {n} jam pada {day}",
        ],
        "sentence": [
            "Pegawai di {town} berkata kerja itu dijangka siap dalam {n} minggu.",
            "Kira-kira {n} penduduk hadir pada taklimat pagi {day}.",
            "Projek di {town} dibiayai peruntukan daerah sebanyak RM{n} juta.",
            "Peniaga berkata perniagaan meningkat {n} peratus berbanding bulan lepas.",
            "Jadual bagi hari {day} akan dimuat naik dalam talian.",
            "Pemandu dinasihatkan menggunakan jalan alternatif berhampiran {town}.",
            "Jawatankuasa akan menyemak kemajuan dalam tempoh {n} hari.",
            "Sukarelawan {town} membersihkan tebing sungai pada {day}.",
            "Pejabat daerah berkata {n} permohonan telah diterima setakat ini.",
        ],
        "towns": ["Ipoh", "Seremban", "Melaka", "Alor Setar", "Kangar", "Muar", "Batu Pahat", "Taiping"],
        "days": ["Isnin", "Selasa", "Rabu", "Khamis", "Jumaat", "Sabtu", "Ahad"],
    },
}


def filler_stories(outlet: str, language: str, count: int, section: str) -> list[Story]:
    """``count`` distinct off-topic stories for ``outlet``, spread over the last 40 hours."""
    pool = _POOLS[language]
    rng = random.Random(f"{outlet}-{count}")
    stories = []
    for i in range(count):

        def fill(template: str) -> str:
            return template.format(town=rng.choice(pool["towns"]), n=rng.randint(2, 9000), day=rng.choice(pool["days"]))

        title = fill(rng.choice(pool["topic"])) + f" ({i + 1})"
        body = tuple(" ".join(fill(s) for s in rng.sample(pool["sentence"], 3)) for _ in range(4))
        stories.append(
            Story(
                outlet, 500_000 + i, section, rng.uniform(0.5, 40.0), False, title, body[0], body, place="Kuala Lumpur"
            )
        )
    return stories
