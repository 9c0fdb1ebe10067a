"""The agencies of Hà Nội in both eras, for the demo city.

Before 1 July 2025 (seed 002 counts 633 agencies on the document system): the city People's
Committee, 46 city-level departments and bodies, 30 district People's Committees with their
culture-and-information divisions, and the 526 commune/ward People's Committees. On 1 March 2025
several departments merged; on 1 July 2025 the district level ended and 126 commune/ward People's
Committees, each with its public-administration service centre, took over from the 526.

Agency codes follow the ``DDD.CC.BB.H26`` shape of the national agency-identifier scheme. The real
codes are issued by the province; these are generated deterministically and documented here:
- city bodies ``000.00.BB.H26`` (BB 01–49), districts ``000.00.BB.H26`` (BB 50–79);
- a district's division ``000.01.BB.H26``, its communes ``000.CC.BB.H26`` (CC from 02);
- since 1 July 2025, commune n (1–126 by ward code) ``nnn.00.90.H26`` and its centre ``nnn.01.90.H26``.
A deployment replaces them with the official list through the same ``agencies_bulk_upsert``.
"""

from __future__ import annotations

import datetime as dt

from congso.core.org.loaders import REFORM_2025
from congso.core.org.models import AgencyKind, UnitLevel

DEPT_MERGE_2025 = dt.date(2025, 3, 1)
ROOT = ("000.00.00.H26", None)
CITY_UNIT = ("01", None)

# (BB, name, kind, valid_to or None, merged into BB or None)
CITY_BODIES: list[tuple[int, str, str, dt.date | None, int | None]] = [
    (1, "Văn phòng UBND Thành phố", AgencyKind.DEPARTMENT, None, None),
    (2, "Sở Nội vụ", AgencyKind.DEPARTMENT, None, None),
    (3, "Sở Tư pháp", AgencyKind.DEPARTMENT, None, None),
    (4, "Sở Kế hoạch và Đầu tư", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 5),
    (5, "Sở Tài chính", AgencyKind.DEPARTMENT, None, None),
    (6, "Sở Công Thương", AgencyKind.DEPARTMENT, None, None),
    (7, "Sở Nông nghiệp và Phát triển nông thôn", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 47),
    (8, "Sở Giao thông vận tải", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 9),
    (9, "Sở Xây dựng", AgencyKind.DEPARTMENT, None, None),
    (10, "Sở Tài nguyên và Môi trường", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 47),
    (11, "Sở Thông tin và Truyền thông", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 15),
    (12, "Sở Lao động - Thương binh và Xã hội", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 2),
    (13, "Sở Văn hóa và Thể thao", AgencyKind.DEPARTMENT, None, None),
    (14, "Sở Du lịch", AgencyKind.DEPARTMENT, None, None),
    (15, "Sở Khoa học và Công nghệ", AgencyKind.DEPARTMENT, None, None),
    (16, "Sở Giáo dục và Đào tạo", AgencyKind.DEPARTMENT, None, None),
    (17, "Sở Y tế", AgencyKind.DEPARTMENT, None, None),
    (18, "Sở Quy hoạch - Kiến trúc", AgencyKind.DEPARTMENT, None, None),
    (19, "Sở Ngoại vụ", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 1),
    (20, "Thanh tra Thành phố", AgencyKind.DEPARTMENT, None, None),
    (21, "Ban Dân tộc", AgencyKind.DEPARTMENT, DEPT_MERGE_2025, 48),
    (22, "Ban Quản lý các khu công nghiệp và chế xuất Hà Nội", AgencyKind.OTHER, None, None),
    (23, "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (
        24,
        "Ban Quản lý dự án đầu tư xây dựng công trình giao thông",
        AgencyKind.PUBLIC_SERVICE_UNIT,
        None,
        None,
    ),
    (
        25,
        "Ban Quản lý dự án đầu tư xây dựng công trình cấp nước, thoát nước và môi trường",
        AgencyKind.PUBLIC_SERVICE_UNIT,
        None,
        None,
    ),
    (
        26,
        "Ban Quản lý dự án đầu tư xây dựng công trình văn hóa - xã hội",
        AgencyKind.PUBLIC_SERVICE_UNIT,
        None,
        None,
    ),
    (
        27,
        "Ban Quản lý dự án đầu tư xây dựng công trình hạ tầng kỹ thuật và nông nghiệp",
        AgencyKind.PUBLIC_SERVICE_UNIT,
        None,
        None,
    ),
    (28, "Đài Phát thanh và Truyền hình Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (29, "Trung tâm Phục vụ hành chính công thành phố Hà Nội", AgencyKind.ONE_STOP_CENTRE, None, None),
    (
        30,
        "Trung tâm Xúc tiến đầu tư, thương mại, du lịch thành phố Hà Nội",
        AgencyKind.PUBLIC_SERVICE_UNIT,
        None,
        None,
    ),
    (31, "Quỹ Đầu tư phát triển thành phố Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (32, "Ban Tiếp công dân thành phố", AgencyKind.OTHER, None, None),
    (33, "Viện Nghiên cứu phát triển kinh tế - xã hội Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (34, "Trường Đào tạo cán bộ Lê Hồng Phong", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (35, "Báo Hànộimới", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (36, "Báo Kinh tế và Đô thị", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (37, "Ban Quản lý Phố cổ Hà Nội", AgencyKind.OTHER, None, None),
    (38, "Trung tâm Bảo tồn di sản Thăng Long - Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (39, "Liên minh Hợp tác xã thành phố Hà Nội", AgencyKind.OTHER, None, None),
    (40, "Trung tâm Phát triển quỹ đất Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (41, "Quỹ Phát triển đất thành phố Hà Nội", AgencyKind.PUBLIC_SERVICE_UNIT, None, None),
    (42, "Công an thành phố Hà Nội", AgencyKind.OTHER, None, None),
    (43, "Bộ Tư lệnh Thủ đô Hà Nội", AgencyKind.OTHER, None, None),
    (44, "Thuế thành phố Hà Nội", AgencyKind.OTHER, None, None),
    (45, "Kho bạc Nhà nước khu vực I", AgencyKind.OTHER, None, None),
    (46, "Bảo hiểm xã hội thành phố Hà Nội", AgencyKind.OTHER, None, None),
]
# Departments created by the March 2025 merges: (BB, name, predecessors' BB).
NEW_2025_BODIES: list[tuple[int, str, list[int]]] = [
    (47, "Sở Nông nghiệp và Môi trường", [7, 10]),
    (48, "Sở Dân tộc và Tôn giáo", [21]),
]
# Absorbed into an existing department (the absorbing one continues).
ABSORBED = [(4, 5), (8, 9), (11, 15), (12, 2), (19, 1)]


def city_code(bb: int) -> str:
    return f"000.00.{bb:02d}.H26"


def build_specs(legacy_units: list[tuple[str, str, str, str, str]], new_wards: list[tuple[str, str]]) -> list:
    """Agency specs for both eras.

    ``legacy_units``: (district code, district name, district kind label, ward code, ward name)
    for every legacy ward of Hà Nội; ``new_wards``: (code, name) of today's 126.
    """
    from congso.core.org.services import AgencySpec

    specs: list[AgencySpec] = [
        AgencySpec(
            code=ROOT[0],
            name="Ủy ban nhân dân thành phố Hà Nội",
            short_name="UBND TP Hà Nội",
            kind=AgencyKind.PEOPLES_COMMITTEE,
            level=UnitLevel.PROVINCE,
            parent_key=None,
            unit_key=CITY_UNIT,
        )
    ]
    for bb, name, kind, valid_to, _merged_into in CITY_BODIES:
        specs.append(
            AgencySpec(
                code=city_code(bb),
                name=name,
                kind=kind,
                level=UnitLevel.PROVINCE,
                parent_key=ROOT,
                unit_key=CITY_UNIT,
                valid_to=valid_to,
            )
        )
    for bb, name, _preds in NEW_2025_BODIES:
        specs.append(
            AgencySpec(
                code=city_code(bb),
                name=name,
                kind=AgencyKind.DEPARTMENT,
                level=UnitLevel.PROVINCE,
                parent_key=ROOT,
                unit_key=CITY_UNIT,
                valid_from=DEPT_MERGE_2025,
            )
        )

    districts: dict[str, int] = {}
    commune_seq: dict[str, int] = {}
    for dcode, dname, _dkind, wcode, wname in sorted(legacy_units):
        if dcode not in districts:
            bb = 50 + len(districts)
            districts[dcode] = bb
            dkey = (f"000.00.{bb:02d}.H26", None)
            specs.append(
                AgencySpec(
                    code=dkey[0],
                    name=f"Ủy ban nhân dân {dname}",
                    kind=AgencyKind.PEOPLES_COMMITTEE,
                    level=UnitLevel.DISTRICT,
                    parent_key=ROOT,
                    unit_key=(dcode, None),
                    valid_to=REFORM_2025,
                )
            )
            specs.append(
                AgencySpec(
                    code=f"000.01.{bb:02d}.H26",
                    name=f"Phòng Văn hóa và Thông tin {dname}",
                    kind=AgencyKind.DIVISION,
                    level=UnitLevel.DISTRICT,
                    parent_key=dkey,
                    unit_key=(dcode, None),
                    valid_to=REFORM_2025,
                )
            )
            commune_seq[dcode] = 1
        bb = districts[dcode]
        commune_seq[dcode] += 1
        specs.append(
            AgencySpec(
                code=f"000.{commune_seq[dcode]:02d}.{bb:02d}.H26",
                name=f"Ủy ban nhân dân {wname}",
                kind=AgencyKind.PEOPLES_COMMITTEE,
                level=UnitLevel.COMMUNE,
                parent_key=(f"000.00.{bb:02d}.H26", None),
                unit_key=(wcode, None),
                valid_to=REFORM_2025,
            )
        )

    for n, (wcode, wname) in enumerate(sorted(new_wards), start=1):
        ukey = (f"{n:03d}.00.90.H26", REFORM_2025)
        specs.append(
            AgencySpec(
                code=ukey[0],
                name=f"Ủy ban nhân dân {wname}",
                kind=AgencyKind.PEOPLES_COMMITTEE,
                level=UnitLevel.COMMUNE,
                parent_key=ROOT,
                unit_key=(wcode, REFORM_2025),
                valid_from=REFORM_2025,
            )
        )
        specs.append(
            AgencySpec(
                code=f"{n:03d}.01.90.H26",
                name=f"Trung tâm Phục vụ hành chính công {wname}",
                kind=AgencyKind.ONE_STOP_CENTRE,
                level=UnitLevel.COMMUNE,
                parent_key=ukey,
                unit_key=(wcode, REFORM_2025),
                valid_from=REFORM_2025,
            )
        )
    return specs
