"""Hand-written articles of the bernama.com/bm sandbox site (see ``sandbox.stories``)."""

from __future__ import annotations

from sandbox.model import Story, story

STORIES: list[Story] = [
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
    story(
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
]
