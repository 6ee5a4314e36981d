"""Render the SVG icons to PNG at the sizes trays and title bars ask for.

``python -m tools.render_icons`` (part of ``make resources``). The SVGs are
the source; the PNGs are build output (not committed). The app loads PNGs
when they exist, because loading Qt's SVG support costs the tray ~1 MB of
memory for three small pictures (docs/performance.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt  # noqa: E402 - after choosing the offscreen platform
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 22, 24, 32, 44, 48, 64, 128)


def render(source: Path, size: int, target: Path) -> None:
    """One SVG at one size, antialiased, on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(source)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(target)):  # the format follows the name: .png
        raise OSError(f"cannot write {target}")


def main() -> int:
    """Render every icon whose PNGs are missing or older than its SVG."""
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage painting needs the app
    out = ICONS / "png"
    out.mkdir(exist_ok=True)
    for source in sorted(ICONS.glob("*.svg")):
        for size in SIZES:
            target = out / f"{source.stem}-{size}.png"
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                render(source, size, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
