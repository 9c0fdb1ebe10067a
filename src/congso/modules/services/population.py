"""The national population database (Cơ sở dữ liệu quốc gia về dân cư), behind an adapter.

A dossier form is prefilled from it: the applicant's name, personal identification number, date of
birth and permanent address, looked up by the 12-digit number of the logged-in citizen (or the one
a desk officer types). ``PopulationRegistry`` is the interface; ``registry()`` returns the one
configured by ``CONGSO_POPULATION_REGISTRY`` (``fake`` by default, the only one built so far; a
deployment connects the real database through the national data-sharing platform).

``FakePopulationRegistry`` makes up a person from the number alone, deterministically, following
the layout of the number (CCCD): three digits of the province of birth registration, one digit for
the century and sex (0 man / 1 woman born in the 1900s, 2 / 3 born in the 2000s), two digits of the
birth year, six more digits. For the demo citizens of the fake e-ID provider it agrees with what
that provider says (name, date of birth, sex). A number whose last six digits are all zero is not
in the fake database (to show the "not found" path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from congso.config.env import env

NATIONAL_ID = re.compile(r"^\d{12}$")
CITY = "Thành phố Hà Nội"


@dataclass(frozen=True)
class Citizen:
    id_number: str  # số định danh cá nhân, 12 digits
    full_name: str
    birth_date: dt.date
    gender: str  # "Nam" / "Nữ"
    address: str  # nơi thường trú, in full
    ward: str  # the ward or commune of the address as named today, e.g. "Phường Ba Đình"


class PopulationRegistry(Protocol):
    def lookup(self, id_number: str) -> Citizen | None:
        """The person with this personal identification number, or None when there is none."""
        ...


# Streets of today's wards (after 1 July 2025), for the fake addresses.
_STREETS: tuple[tuple[str, str], ...] = (
    ("Phường Ba Đình", "phố Đội Cấn"),
    ("Phường Ngọc Hà", "phố Hoàng Hoa Thám"),
    ("Phường Giảng Võ", "phố Giảng Võ"),
    ("Phường Hoàn Kiếm", "phố Hàng Bạc"),
    ("Phường Cửa Nam", "phố Tràng Thi"),
    ("Phường Tây Hồ", "đường Lạc Long Quân"),
    ("Phường Long Biên", "đường Nguyễn Văn Cừ"),
    ("Phường Cầu Giấy", "đường Trần Duy Hưng"),
    ("Phường Đống Đa", "phố Tôn Đức Thắng"),
    ("Phường Láng", "đường Láng"),
    ("Phường Hai Bà Trưng", "phố Bà Triệu"),
    ("Phường Bạch Mai", "phố Bạch Mai"),
    ("Phường Hoàng Mai", "đường Giải Phóng"),
    ("Phường Thanh Xuân", "đường Nguyễn Trãi"),
    ("Phường Hà Đông", "phố Quang Trung"),
    ("Phường Từ Liêm", "đường Hồ Tùng Mậu"),
    ("Xã Gia Lâm", "đường Ngô Xuân Quảng"),
    ("Xã Đông Anh", "đường Cao Lỗ"),
)
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = {
    "Nam": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Tuấn"),
    "Nữ": ("Thị", "Thu", "Ngọc", "Thanh", "Minh"),
}
_GIVEN = {
    "Nam": ("An", "Bình", "Cường", "Dũng", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn"),
    "Nữ": ("Anh", "Chi", "Hà", "Hạnh", "Hoa", "Lan", "Linh", "Mai", "Ngọc", "Phương", "Thảo", "Trang"),
}


class FakePopulationRegistry:
    """Made-up people, the same for the same number (development, tests, demos)."""

    def lookup(self, id_number: str) -> Citizen | None:
        number = (id_number or "").strip()
        if not NATIONAL_ID.match(number) or number[6:] == "000000" or number[3] not in "0123":
            return None
        digest = hashlib.sha256(f"congso.population:{number}".encode()).digest()
        gender = "Nam" if int(number[3]) % 2 == 0 else "Nữ"
        year = (1900 if number[3] in "01" else 2000) + int(number[4:6])
        birth = dt.date(year, digest[0] % 12 + 1, digest[1] % 28 + 1)
        name = " ".join(
            (
                _FAMILY[digest[2] % len(_FAMILY)],
                _MIDDLE[gender][digest[3] % len(_MIDDLE[gender])],
                _GIVEN[gender][digest[4] % len(_GIVEN[gender])],
            )
        )
        demo = _demo_citizen(number)
        if demo is not None:  # agree with the fake e-ID provider
            name, birth = demo
        ward, street = _STREETS[digest[5] % len(_STREETS)]
        address = f"Số {digest[6] % 150 + 1}, ngõ {digest[7] % 90 + 2}, {street}, {ward}, {CITY}"
        return Citizen(
            id_number=number, full_name=name, birth_date=birth, gender=gender, address=address, ward=ward
        )


def _demo_citizen(number: str) -> tuple[str, dt.date] | None:
    from congso.core.accounts.fake_eid import DEMO_CITIZENS

    for c in DEMO_CITIZENS:
        if c.national_id == number:
            return c.name, dt.date.fromisoformat(c.birthdate)
    return None


REGISTRIES: dict[str, type[PopulationRegistry]] = {"fake": FakePopulationRegistry}


def registry() -> PopulationRegistry:
    """The configured registry: ``settings.POPULATION_REGISTRY`` or ``CONGSO_POPULATION_REGISTRY``."""
    name = (
        getattr(settings, "POPULATION_REGISTRY", "") or env("POPULATION_REGISTRY", "fake") or "fake"
    ).strip()
    try:
        return REGISTRIES[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"CONGSO_POPULATION_REGISTRY={name!r} không được hỗ trợ; chọn một trong: {', '.join(REGISTRIES)}."
        ) from None
