"""Signing benchmark: PAdES signatures per second, one process, with pyHanko alone as the peer.

Prints, for a 2-page A4 PDF made with fpdf2 (Vietnamese text, DejaVu Sans):
  - ``core.signing.sign_pdf`` with the visible Decree 30 stamp (DejaVu subset embedded, the
    signing time in Vietnam time), EC P-256 key of the deployment's demo CA;
  - the peer: bare ``pyhanko.sign.signers.sign_pdf`` of the same PDF with the same key and
    certificate, PAdES subfilter, no visible appearance; and the same with ``bytes_reserved``
    given, as ``sign_pdf`` does (pyHanko otherwise makes a trial signature to measure the
    container, which costs as much as the signature);
  - ``core.signing.validate_pdf`` of a file with one signature and of one with two (leader + seal:
    the difference analysis runs for the first);
each as operations per second by the wall clock and by the process's CPU time (the CPU figure
is the per-core rate; the wall figure also counts time lost to other processes on the machine).

    .venv/bin/python bench/signing.py --smoke    # ~10 signatures, a few seconds
    .venv/bin/python bench/signing.py            # 200 of each
    .venv/bin/python bench/signing.py --n 1000
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_PER_S = 20.0  # the target: signatures per second per core


def _document() -> bytes:
    from fpdf import FPDF

    from congso.core.files.pdf import unicode_font

    pdf = FPDF(unit="pt", format="A4")
    font = unicode_font()
    family = "Helvetica"
    if font is not None:
        pdf.add_font("Body", "", str(font))
        family = "Body"
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font(family, size=12)
        text = (
            "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\n\n"
            "QUYẾT ĐỊNH\nVề việc phê duyệt Kế hoạch chuyển đổi số năm 2026\n\n"
            + "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026 của Sở Khoa học và Công nghệ. " * 12
            + f"\n(trang {page})"
        )
        pdf.multi_cell(
            0, 16, text if font is not None else text.encode("latin-1", "replace").decode("latin-1")
        )
    return bytes(pdf.output())


def _rate(n: int, op: Callable[[], object]) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        op()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall_per_s": n / wall, "cpu_per_s": n / cpu, "ms": 1000 * cpu / n}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="about 10 of each, for CI")
    parser.add_argument("--n", type=int, default=None, help="operations per measurement (default 200)")
    args = parser.parse_args()
    n = args.n or (10 if args.smoke else 200)

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.config.settings")
    data_dir = tempfile.mkdtemp(prefix="congso-bench-signing-")
    os.environ["CONGSO_DATA_DIR"] = data_dir
    import django

    django.setup()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    from congso.core import signing

    pdf = _document()
    leader = signing.official_identity(
        full_name="Nguyễn Văn Ân",
        username="an.nv",
        agency_name="Sở Khoa học và Công nghệ",
        agency_code="000.00.12.H26",
    )
    seal = signing.seal_identity(agency_name="Sở Khoa học và Công nghệ", agency_code="000.00.12.H26")
    box = signing.VisibleBox(page=-1, box=(312, 120, 552, 190))

    def ours() -> bytes:
        return signing.sign_pdf(
            pdf,
            leader,
            field_name="LanhDao",
            reason="Ký ban hành",
            visible=box,
            stamp_text="%(signer)s\nPhó Giám đốc\nKý ngày: %(ts)s",
        )

    def peer() -> bytes:
        out = io.BytesIO()
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            signers.PdfSignatureMetadata(field_name="LanhDao", subfilter=SigSeedSubFilter.PADES),
            signer=leader.signer,
            output=out,
        )
        return out.getvalue()

    def peer_reserved() -> bytes:
        out = io.BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="LanhDao", subfilter=SigSeedSubFilter.PADES),
            signer=leader.signer,
        ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=8192, output=out)
        return out.getvalue()

    one = ours()
    two = signing.sign_pdf(
        one,
        seal,
        field_name="ConDau",
        reason="Cấp số và đóng dấu",
        visible=signing.VisibleBox(page=0, box=(57, 690, 298, 730)),
        stamp_text="Số: 05/QĐ-SKHCN\nNgày 24/11/2026\n%(agency)s",
    )
    assert signing.validate_pdf(one).ok and signing.validate_pdf(two).ok
    peer(), peer_reserved()  # warm-up of the peers too

    results = {
        "sign_pdf, visible stamp (congso)": _rate(n, ours),
        "  peer: pyHanko sign_pdf, no appearance": _rate(n, peer),
        "  pyHanko, no appearance, size given": _rate(n, peer_reserved),
        "validate_pdf, 1 signature": _rate(n, lambda: signing.validate_pdf(one)),
        "validate_pdf, 2 signatures (leader + seal)": _rate(n, lambda: signing.validate_pdf(two)),
    }
    print(
        f"\nSigning bench — {'smoke' if args.smoke else 'full'}: {n} operations each, one process, "
        f"PDF of {len(pdf):,} bytes (2 pages), EC P-256 (ECDSA-SHA256), PAdES B-B."
    )
    print(f"{'':46}{'ops/s (CPU)':>14}{'ops/s (wall)':>14}{'ms (CPU)':>11}")
    for label, r in results.items():
        print(f"{label:46}{r['cpu_per_s']:>14.1f}{r['wall_per_s']:>14.1f}{r['ms']:>11.1f}")
    ours_rate = results["sign_pdf, visible stamp (congso)"]["cpu_per_s"]
    peer_rate = results["  peer: pyHanko sign_pdf, no appearance"]["cpu_per_s"]
    print(f"{'  ratio (congso / peer)':46}{ours_rate / peer_rate:>13.2f}×")
    print(f"{'signed file sizes (bytes): 1 sig, 2 sigs':46}{len(one):>14,}{len(two):>14,}")
    verdict = "đạt" if ours_rate >= TARGET_PER_S else "CHƯA ĐẠT"
    print(f"Mục tiêu ≥ {TARGET_PER_S:.0f} chữ ký/giây mỗi lõi: {verdict} ({ours_rate:.1f}/s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
