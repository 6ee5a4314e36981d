"""Run on a virtual desktop by ``bench/report_evidence.py``: grab, encode and diagnose, timed.

``python bench/evidence_child.py DESK_URL ROUNDS [--wallpaper]`` fills the
1920x1080 screen with everyday windows (a document, a spreadsheet, the
tickets window; with ``--wallpaper`` a photo-like background behind them),
then times what the app does when the user clicks "Report": grab the screen
and encode it, and take the diagnostics snapshot. JSON on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

from PySide6.QtCore import QEventLoop, QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QTableWidget, QTableWidgetItem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from client.adapters.imaging import PillowEncoder  # noqa: E402
from client.adapters.sysinfo import SnapshotOptions, SystemInfo  # noqa: E402
from client.core.diagnostics import assemble, to_json  # noqa: E402
from client.core.redact import Redactor  # noqa: E402
from client.ui.screenshot import Edits, grab_screens, render, rgb_rows  # noqa: E402


def _wallpaper(width: int, height: int) -> QPixmap:
    """Something photo-like: smooth colour fields with soft, correlated texture."""
    texture = Image.effect_noise((width // 4, height // 4), 40).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    across = Image.linear_gradient("L").resize((width, height))
    around = Image.radial_gradient("L").resize((width, height))
    photo = Image.merge(
        "RGB",
        (
            ImageChops.blend(across, texture, 0.35),
            ImageChops.blend(around, texture, 0.30),
            ImageChops.blend(across.transpose(Image.Transpose.ROTATE_180), texture, 0.25),
        ),
    ).filter(ImageFilter.GaussianBlur(1))
    image = QImage(photo.tobytes(), width, height, width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


def _windows(wallpaper: bool) -> list[object]:
    shown: list[object] = []
    if wallpaper:
        background = QLabel()
        background.setPixmap(_wallpaper(1920, 1080))
        background.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        background.setGeometry(QRect(0, 0, 1920, 1080))
        background.show()
        shown.append(background)
    document = QPlainTextEdit((ROOT / "README.md").read_text(encoding="utf-8") * 3)
    document.setWindowTitle("README.md - Text editor")
    document.setGeometry(QRect(40, 40, 1000, 900))
    sheet = QTableWidget(40, 12)
    sheet.setWindowTitle("Budget 2027.xlsx")
    for row in range(40):
        for column in range(12):
            sheet.setItem(row, column, QTableWidgetItem(f"{(row + 1) * (column + 3) * 17.25:,.2f}"))
    sheet.setGeometry(QRect(700, 200, 1180, 820))
    for window in (document, sheet):
        window.show()
        shown.append(window)
    return shown


def main(argv: list[str]) -> int:
    desk_url, rounds, wallpaper = argv[0], int(argv[1]), "--wallpaper" in argv
    QApplication([sys.argv[0]])
    windows = _windows(wallpaper)
    settle = QEventLoop()  # not qapp.quit(): in Qt 6 that closes every window first
    QTimer.singleShot(1500, settle.quit)  # the windows are mapped and painted
    settle.exec()
    encoder = PillowEncoder()
    grab_ms, encode_ms, sizes = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        grab = grab_screens(allowed=True)
        image = render(grab, Edits())
        assert image is not None
        pixels = rgb_rows(image)
        grabbed = time.perf_counter()
        shot = encoder.encode(*pixels, "screenshot")
        done = time.perf_counter()
        grab_ms.append((grabbed - started) * 1000)
        encode_ms.append((done - grabbed) * 1000)
        sizes.append(shot.size)
    info = SystemInfo(SnapshotOptions("bench"), Redactor(), desk_url=lambda: desk_url)
    work_ms, json_sizes = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        sample = info.sample()
        sampled = time.perf_counter()
        time.sleep(0.2)  # the measuring window the app leaves open (event loop free)
        again = time.perf_counter()
        document = assemble(info.local(sample), info.probe_desk())
        done = time.perf_counter()
        work_ms.append((sampled - started + done - again) * 1000)
        json_sizes.append(len(to_json(document)))
    sys.stdout.write(
        json.dumps(
            {
                "grab_ms": grab_ms,
                "encode_ms": encode_ms,
                "screenshot_bytes": sizes,
                "screenshot_type": shot.content_type,
                "diagnostics_ms": work_ms,
                "diagnostics_bytes": json_sizes,
                "median_grab_encode_ms": statistics.median(
                    g + e for g, e in zip(grab_ms, encode_ms, strict=True)
                ),
            }
        )
        + "\n"
    )
    del windows
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
