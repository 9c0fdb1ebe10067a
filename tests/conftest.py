"""Codes of agencies used across tests. The fixtures (Hà Nội data, ``agency``, ``make_official``)
are in the root conftest.py, shared with each module's tests."""

from __future__ import annotations

# Agencies used across tests (see congso/core/seed/hanoi_agencies.py for the code scheme).
CITY = "000.00.00.H26"
SO_KHCN = "000.00.15.H26"  # Sở Khoa học và Công nghệ (absorbed Sở TT&TT on 1 March 2025)
SO_TU_PHAP = "000.00.03.H26"
BA_DINH = "001.00.90.H26"  # UBND phường Ba Đình since 1 July 2025
BA_DINH_CENTRE = "001.01.90.H26"
