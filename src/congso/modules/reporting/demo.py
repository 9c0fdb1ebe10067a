"""Demo content of the reporting system: the Sở TT&TT sector form with the seeds' real figures,
and (at scale "hanoi") generated forms and indicators up to seed 002's 134 forms and 2,136
indicators. Idempotent: running it again creates nothing new.

Figures (seeds/001, Sở TT&TT to 31/12/2021): more than 8,476 IT and electronics enterprises,
revenue about 321,315 billion VND, more than 189,500 workers, exports of computer parts, phones
and components 2,893 million USD; post and telecoms revenue 35,000 billion VND; about 490,000
fixed and 12.3 million mobile subscribers; 75% of residents with a smartphone. (seeds/000, the
first 10 months of 2023): nearly 39,000 free signing certificates for citizens; 155 general news
sites of 92 units reviewed, 17 sent to the inspectorate; 30 "news-like" sites called in, 7
businesses sent for sanctions; 234 video clips assessed.

    from congso.modules.reporting.demo import seed_reporting
    seed_reporting(scale="demo")     # or scale="hanoi"
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from congso.core.org.models import Agency, valid_on
from congso.core.policy.system import SystemActor
from congso.modules.reporting import services
from congso.modules.reporting.models import Aggregation, Form, Indicator, ValueType
from congso.modules.reporting.services import SectionSpec, ValueRow

SO_TTTT = "000.00.11.H26"  # Sở Thông tin và Truyền thông (until 1 March 2025)
SO_KHCN = "000.00.15.H26"  # Sở Khoa học và Công nghệ, which took it over
ROOT = "000.00.00.H26"
FORM_CODE = "BC.TTTT.01"
TARGET_FORMS = 134
TARGET_INDICATORS = 2136

# code, name, unit of measure, value type, aggregation over units, over time, national code
SECTOR: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "TTTT.CNTT.DN",
        "Số doanh nghiệp hoạt động trong lĩnh vực công nghệ thông tin, công nghiệp điện tử",
        "doanh nghiệp",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.LAST,
        "QG.TTTT.01",
    ),
    (
        "TTTT.CNTT.DT",
        "Tổng doanh thu của doanh nghiệp công nghệ thông tin, công nghiệp điện tử",
        "tỷ đồng",
        ValueType.NUMBER,
        Aggregation.SUM,
        Aggregation.SUM,
        "QG.TTTT.02",
    ),
    (
        "TTTT.CNTT.LD",
        "Số lao động làm việc trong doanh nghiệp công nghệ thông tin, công nghiệp điện tử",
        "người",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.LAST,
        "QG.TTTT.03",
    ),
    (
        "TTTT.CNTT.XK",
        "Kim ngạch xuất khẩu linh kiện máy tính, thiết bị ngoại vi, điện thoại và linh kiện",
        "triệu USD",
        ValueType.NUMBER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.BCVT.DT",
        "Doanh thu của doanh nghiệp bưu chính - viễn thông",
        "tỷ đồng",
        ValueType.NUMBER,
        Aggregation.SUM,
        Aggregation.SUM,
        "QG.TTTT.04",
    ),
    (
        "TTTT.VT.TBCD",
        "Số thuê bao điện thoại cố định",
        "thuê bao",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.LAST,
        "QG.TTTT.05",
    ),
    (
        "TTTT.VT.TBDD",
        "Số thuê bao điện thoại di động (trả trước và trả sau)",
        "thuê bao",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.LAST,
        "QG.TTTT.06",
    ),
    (
        "TTTT.VT.DTTM",
        "Tỷ lệ người dân có điện thoại thông minh",
        "%",
        ValueType.PERCENT,
        Aggregation.AVERAGE,
        Aggregation.LAST,
        "QG.TTTT.07",
    ),
    (
        "TTTT.CKS.SL",
        "Số chữ ký số miễn phí cấp cho công dân",
        "chứng thư",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "QG.TTTT.08",
    ),
    (
        "TTTT.TTDT.RS",
        "Số trang thông tin điện tử tổng hợp được rà soát",
        "trang",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.TTDT.DV",
        "Số đơn vị quản lý trang thông tin điện tử tổng hợp được rà soát",
        "đơn vị",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.TTDT.TT",
        "Số trang thông tin điện tử tổng hợp chuyển Thanh tra Sở kiểm tra, xử lý",
        "trang",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.TTDT.BH",
        'Số trang thông tin điện tử, mạng xã hội có dấu hiệu "báo hóa" được mời làm việc',
        "trang",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.TTDT.XP",
        "Số doanh nghiệp thiết lập trang thông tin điện tử tổng hợp bị chuyển hồ sơ xử phạt",
        "doanh nghiệp",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
    (
        "TTTT.CLIP.TD",
        "Số video clip có nội dung xấu, độc được thẩm định, đề nghị gỡ bỏ",
        "clip",
        ValueType.INTEGER,
        Aggregation.SUM,
        Aggregation.SUM,
        "",
    ),
]
COMPUTED = [
    (
        "TTTT.CNTT.DTBQ",
        "Doanh thu bình quân một doanh nghiệp công nghệ thông tin",
        "tỷ đồng/doanh nghiệp",
        "{TTTT.CNTT.DT} / {TTTT.CNTT.DN}",
    ),
    (
        "TTTT.CNTT.NSLD",
        "Doanh thu bình quân một lao động công nghệ thông tin",
        "triệu đồng/người",
        "{TTTT.CNTT.DT} * 1000 / {TTTT.CNTT.LD}",
    ),
]
# Defined with a disaggregation (sex × urban/rural); the seeds give no breakdown, so no values.
COMBO = (
    "GT_KV",
    "Giới tính × Thành thị/nông thôn",
    [
        ("NAM_TT", "Nam, thành thị"),
        ("NAM_NT", "Nam, nông thôn"),
        ("NU_TT", "Nữ, thành thị"),
        ("NU_NT", "Nữ, nông thôn"),
    ],
)
DISAGGREGATED = (
    "TTTT.CKS.GTKV",
    "Số chữ ký số miễn phí cấp cho công dân, theo giới tính và khu vực",
    "chứng thư",
)
VALUES = [
    ("TTTT.CNTT.DN", "2021", 8476),
    ("TTTT.CNTT.DT", "2021", 321315),
    ("TTTT.CNTT.LD", "2021", 189500),
    ("TTTT.CNTT.XK", "2021", 2893),
    ("TTTT.BCVT.DT", "2021", 35000),
    ("TTTT.VT.TBCD", "2021", 490000),
    ("TTTT.VT.TBDD", "2021", 12300000),
    ("TTTT.VT.DTTM", "2021", 75),
    ("TTTT.CKS.SL", "2023", 39000),
    ("TTTT.TTDT.RS", "2023", 155),
    ("TTTT.TTDT.DV", "2023", 92),
    ("TTTT.TTDT.TT", "2023", 17),
    ("TTTT.TTDT.BH", "2023", 30),
    ("TTTT.TTDT.XP", "2023", 7),
    ("TTTT.CLIP.TD", "2023", 234),
]
SECTORS = [
    ("KT", "Kinh tế tổng hợp"),
    ("TC", "Tài chính - ngân sách"),
    ("CT", "Công thương"),
    ("NN", "Nông nghiệp"),
    ("XD", "Xây dựng - đô thị"),
    ("GT", "Giao thông"),
    ("TN", "Tài nguyên - môi trường"),
    ("GD", "Giáo dục"),
    ("YT", "Y tế"),
    ("VH", "Văn hóa - thể thao - du lịch"),
    ("LD", "Lao động - xã hội"),
    ("NV", "Nội vụ"),
    ("TP", "Tư pháp"),
    ("KH", "Khoa học - công nghệ"),
    ("AN", "An ninh - trật tự"),
    ("DT", "Dân tộc - tôn giáo"),
]
MEASURES = [
    "người",
    "hộ",
    "tỷ đồng",
    "triệu đồng",
    "%",
    "cơ sở",
    "lượt",
    "hồ sơ",
    "km",
    "ha",
    "tấn",
    "công trình",
]
TOPICS = ["Số", "Tổng", "Tỷ lệ", "Số lượng", "Giá trị"]
OBJECTS = [
    "cơ sở được kiểm tra",
    "hồ sơ tiếp nhận",
    "hồ sơ giải quyết đúng hạn",
    "lượt người được hỗ trợ",
    "dự án triển khai",
    "vốn giải ngân",
    "công trình hoàn thành",
    "hộ được cấp nước sạch",
    "người tham gia bảo hiểm",
    "vụ việc được xử lý",
    "học sinh",
    "giường bệnh",
    "doanh nghiệp thành lập mới",
    "lao động được đào tạo",
    "điểm truy cập công cộng",
    "thủ tục trực tuyến toàn trình",
]


@dataclass
class SeedReport:
    indicators: int = 0
    forms: int = 0
    values: int = 0
    created: list[str] = field(default_factory=list)


def _ensure_indicator(report: SeedReport, code: str, **kwargs: Any) -> None:
    if Indicator.objects.filter(code=code).exists():
        return
    services.indicator_create(actor=None, code=code, **kwargs)
    report.indicators += 1


def _seed_sector(report: SeedReport) -> None:
    services.combo_ensure(actor=None, code=COMBO[0], name=COMBO[1], options=COMBO[2])
    for code, name, measure, vtype, agg_units, agg_time, national in SECTOR:
        _ensure_indicator(
            report,
            code,
            name=name,
            unit_of_measure=measure,
            value_type=vtype,
            agg_units=agg_units,
            agg_time=agg_time,
            national_code=national,
            description="Nguồn: Sở TT&TT Hà Nội.",
        )
    for code, name, measure, formula in COMPUTED:
        _ensure_indicator(
            report,
            code,
            name=name,
            unit_of_measure=measure,
            formula=formula,
            formula_valid_from=dt.date(2015, 1, 1),
        )
    code, name, measure = DISAGGREGATED
    _ensure_indicator(
        report, code, name=name, unit_of_measure=measure, value_type=ValueType.INTEGER, combo_code=COMBO[0]
    )
    if not Form.objects.filter(code=FORM_CODE).exists():
        holder = SO_KHCN if _valid_today(SO_KHCN) else ""
        services.form_create(
            actor=None,
            code=FORM_CODE,
            name="Báo cáo thống kê ngành Thông tin và Truyền thông",
            period_type="Y",
            legal_basis="Thông tư 03/2018/TT-BTTTT; Nghị định 09/2019/NĐ-CP",
            narrative_required=True,
            sections=[
                SectionSpec(
                    "I",
                    "Công nghiệp công nghệ thông tin, điện tử",
                    [
                        "TTTT.CNTT.DN",
                        "TTTT.CNTT.DT",
                        "TTTT.CNTT.LD",
                        "TTTT.CNTT.XK",
                        "TTTT.CNTT.DTBQ",
                        "TTTT.CNTT.NSLD",
                    ],
                ),
                SectionSpec(
                    "II",
                    "Bưu chính, viễn thông",
                    ["TTTT.BCVT.DT", "TTTT.VT.TBCD", "TTTT.VT.TBDD", "TTTT.VT.DTTM"],
                ),
                SectionSpec("III", "Chuyển đổi số", ["TTTT.CKS.SL", "TTTT.CKS.GTKV"]),
                SectionSpec(
                    "IV",
                    "Quản lý thông tin điện tử",
                    [
                        "TTTT.TTDT.RS",
                        "TTTT.TTDT.DV",
                        "TTTT.TTDT.TT",
                        "TTTT.TTDT.BH",
                        "TTTT.TTDT.XP",
                        "TTTT.CLIP.TD",
                    ],
                ),
            ],
            agency_codes=[holder] if holder else [],
        )
        report.forms += 1
    if Agency.objects.filter(code=SO_TTTT).exists():
        rows = [
            ValueRow(code, SO_TTTT, period, str(value), ref=f"{code}/{period}")
            for code, period, value in VALUES
        ]
        report.values += services.datavalues_import(actor=SystemActor("seed"), rows=rows, source="seed").saved


def _valid_today(code: str) -> bool:
    return Agency.objects.filter(code=code).filter(valid_on(dt.date.today())).exists()


def _seed_scale(report: SeedReport) -> None:
    """Generated indicators and forms up to 2,136 and 134, assigned to today's agencies."""
    existing = set(Indicator.objects.values_list("code", flat=True))
    missing = TARGET_INDICATORS - len(existing)
    n = 0
    generated: list[str] = sorted(c for c in existing if c.startswith("CT."))
    while missing > 0:
        n += 1
        code = f"CT.{SECTORS[n % len(SECTORS)][0]}.{n:04d}"
        if code in existing:
            continue
        sector = SECTORS[n % len(SECTORS)][1]
        measure = MEASURES[n % len(MEASURES)]
        name = f"{TOPICS[n % len(TOPICS)]} {OBJECTS[(n // 3) % len(OBJECTS)]} — {sector} (chỉ tiêu {n:04d})"
        services.indicator_create(
            actor=None,
            code=code,
            name=name,
            unit_of_measure=measure,
            value_type=ValueType.PERCENT if measure == "%" else ValueType.NUMBER,
            agg_units=Aggregation.AVERAGE if measure == "%" else Aggregation.SUM,
            agg_time=Aggregation.LAST if measure == "%" else Aggregation.SUM,
        )
        generated.append(code)
        report.indicators += 1
        missing -= 1
    forms = Form.objects.count()
    if forms >= TARGET_FORMS:
        return
    today = dt.date.today()
    departments = list(
        Agency.objects.filter(valid_on(today), parent__code=ROOT, level=1)
        .exclude(kind="ubnd")
        .order_by("code")
        .values_list("code", flat=True)
    ) or [ROOT]
    communes = list(
        Agency.objects.filter(valid_on(today), kind="ubnd", level=3)
        .order_by("code")
        .values_list("code", flat=True)
    )
    pool = sorted(generated) or sorted(existing)
    per_form = max(1, len(pool) // TARGET_FORMS)
    index = 0
    while forms < TARGET_FORMS:
        index += 1
        code = f"BM.{index:03d}"
        if Form.objects.filter(code=code).exists():
            continue
        chunk = pool[((index - 1) * per_form) % len(pool) :][:per_form] or pool[:per_form]
        half = max(1, len(chunk) // 2)
        period_type = "MQSY"[index % 4]
        agencies = [departments[index % len(departments)]] + (communes if index % 5 == 0 else [])
        sector = SECTORS[index % len(SECTORS)][1]
        services.form_create(
            actor=None,
            code=code,
            name=f"Biểu {index:03d}: Báo cáo {sector.lower()}",
            period_type=period_type,
            window="nd09" if index % 3 == 0 else "calendar",
            deadline_days=5 + index % 10,
            sections=[SectionSpec("A", "Phần A", chunk[:half])]
            + ([SectionSpec("B", "Phần B", chunk[half:])] if chunk[half:] else []),
            agency_codes=agencies,
        )
        forms += 1
        report.forms += 1


def seed_reporting(scale: str = "demo") -> SeedReport:
    """Seed the reporting repositories: ``demo`` (the Sở TT&TT sector form with the seeds'
    figures) or ``hanoi`` (that, plus generated forms and indicators up to 134 and 2,136)."""
    if scale not in ("demo", "hanoi"):
        raise ValueError("scale phải là 'demo' hoặc 'hanoi'")
    report = SeedReport()
    with transaction.atomic():
        _seed_sector(report)
    if scale == "hanoi":
        with transaction.atomic():
            _seed_scale(report)
    return report
