"""Codes of agencies used across tests. The fixtures (Hà Nội data, ``agency``, ``make_official``)
are in the root conftest.py, shared with each module's tests."""

from __future__ import annotations

# Agencies used across tests (see congso/core/seed/hanoi_agencies.py for the code scheme).
CITY = "000.00.00.H26"
SO_KHCN = "000.00.15.H26"  # Sở Khoa học và Công nghệ (absorbed Sở TT&TT on 1 March 2025)
SO_TU_PHAP = "000.00.03.H26"
BA_DINH = "001.00.90.H26"  # UBND phường Ba Đình since 1 July 2025
BA_DINH_CENTRE = "001.01.90.H26"


def clear_cache() -> None:
    """Empty this test process's part of the cache. With Redis, ``cache.clear()`` is FLUSHDB: it
    emptied the other parallel test processes' keys as well (settings keep them apart only by
    KEY_PREFIX), and a fake e-ID code vanished between its issue and its redemption."""
    from django.conf import settings
    from django.core.cache import cache

    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)  # type: ignore[attr-defined]
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
