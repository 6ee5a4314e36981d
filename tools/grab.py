"""Save what is on an X display as PNG: ``python -m tools.grab OUT.png [x,y,w,h]``.

Uses Qt (already a dependency) instead of ImageMagick. Run it with DISPLAY
set to the virtual desktop.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication


def main(argv: list[str]) -> int:
    """Grab the whole screen, or the given rectangle, into a PNG file."""
    app = QGuiApplication(["grab"])
    pixmap = app.primaryScreen().grabWindow(0)
    if len(argv) > 2:
        x, y, w, h = (int(v) for v in argv[2].split(","))
        pixmap = pixmap.copy(x, y, w, h)
    return 0 if pixmap.save(argv[1], "PNG") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
