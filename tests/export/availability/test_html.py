"""The printable report opened in headless Chromium: a screenshot (kept under pytest's tmp
dir and copied to the repository's var/ for people to look at) and an A4 PDF; the page is
self-contained and its Vietnamese is set in DejaVu (no missing glyphs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from export.availability import pngread
from export.availability.conftest import Backfilled
from export.availability.promtsdb import REPO

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# A4 at 150 dots per inch: 210 x 297 mm.
WIDTH, HEIGHT = 1240, 1754


def chromium(tmp: Path, *args: str) -> None:
    """Headless Chromium with everything that would reach the network off (this machine's
    closed network refuses those connections), a profile of its own, bounded in time."""
    assert CHROMIUM
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"chromium did not finish: {out[-2000:]}") from None
    assert proc.returncode == 0, out[-2000:]


def _report(backfilled: Backfilled, tmp: Path) -> Path:
    exe = Path(sys.executable).parent / "netmon"
    done = subprocess.run(
        [
            str(exe),
            "report",
            "availability",
            "-c",
            "/nonexistent.yaml",
            "-p",
            backfilled.url,
            "--month",
            "2025-11",
            "-o",
            "html",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = tmp / "metronet-2025-11.html"
    page.write_text(done.stdout, encoding="utf-8")
    return page


def test_the_page_is_self_contained_and_bilingual(backfilled: Backfilled, tmp_path: Path) -> None:
    html = _report(backfilled, tmp_path).read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"(src|href)=|@import|url\(", html)
    for vi, en in (
        ("Toàn mạng", "Whole network"),
        ("Theo cấp hành chính", "By administrative level"),
        ("Theo huyện, thị xã, thành phố", "By district"),
        ("Các sự cố dài nhất", "Longest outages"),
        ("Thời gian netmon không giám sát", "When netmon was not watching"),
    ):
        assert vi in html and en in html
    # the province's figures first, then levels and districts, then the outages
    order = [
        html.index(h) for h in ("Toàn mạng", "Theo cấp hành chính", "Theo huyện", "Danh sách sự cố")
    ]
    assert order == sorted(order)
    assert "@page { size: A4" in html


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_renders_it_on_a4(backfilled: Backfilled, tmp_path: Path) -> None:
    page = _report(backfilled, tmp_path)
    png, pdf = tmp_path / "metronet-2025-11.png", tmp_path / "metronet-2025-11.pdf"
    chromium(
        tmp_path,
        f"--screenshot={png}",
        f"--window-size={WIDTH},{HEIGHT}",
        "--hide-scrollbars",
        page.as_uri(),
    )
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    var = REPO / "var"
    var.mkdir(exist_ok=True)
    shutil.copy(png, var / "availability-report.png")
    shutil.copy(pdf, var / "availability-report.pdf")
    print(f"\nscreenshot: {png}\n  copy: {var / 'availability-report.png'}\npdf: {pdf}")
    width, height, _ = pngread.read(png)
    assert (width, height) == (WIDTH, HEIGHT)
    ink = pngread.ink(png)
    print(f"  {ink:.1%} of the screenshot's pixels are ink")
    assert 0.02 < ink < 0.5, ink  # text and tables, not a blank or a black page
    body = pdf.read_bytes()
    boxes = {
        tuple(round(float(x)) for x in m)
        for m in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", body)
    }
    assert boxes == {(595, 842)}, boxes  # A4 in points, every page
    pages = len(re.findall(rb"/Type\s*/Page\b", body))
    assert 2 <= pages <= 6, pages
    fonts = {f.split(b"+")[-1] for f in re.findall(rb"/BaseFont\s*/([\w+-]+)", body)}
    print(f"  {pages} A4 pages, fonts {sorted(f.decode() for f in fonts)}")
    assert fonts and all(f.startswith(b"DejaVuSans") for f in fonts), fonts
    assert _pdf_text_has(body, "Báo cáo khả dụng")


def _pdf_text_has(pdf: bytes, text: str) -> bool:
    """Whether the PDF's ToUnicode maps (how a PDF says which characters its glyphs are)
    include every character of `text`: the Vietnamese letters were set as glyphs of a font
    that has them, not as boxes of a fallback."""
    wanted = {ord(c) for c in text if not c.isspace()}
    found: set[int] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"beginbfchar" not in data and b"beginbfrange" not in data:
            continue
        for hexes in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", data):
            found.add(int(hexes[1][:4], 16))
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", data
        ):
            start = int(dst, 16)
            found.update(range(start, start + int(hi, 16) - int(lo, 16) + 1))
    return wanted <= found
