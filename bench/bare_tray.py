"""The baseline: a bare PySide6 tray app doing nothing else (icon, menu, hidden window).

It reports the moment its icon is on screen exactly like the real app's probe
does (first paint of Qt's ``QSystemTrayIconSys`` widget), so both are timed
the same way.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget


class _FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            not self.seen
            and event.type() == QEvent.Type.Paint
            and watched.metaObject().className() == "QSystemTrayIconSys"
        ):
            self.seen = True
            sys.stdout.write(f"PROBE tray_visible t={time.time():.6f} \n")
            sys.stdout.flush()
        return False


def main() -> int:
    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    probe = _FirstPaint()
    app.installEventFilter(probe)
    pixmap = QPixmap(22, 22)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setBrush(QColor("#1a73c9"))
    painter.drawEllipse(2, 2, 18, 18)
    painter.end()
    window = QWidget()  # hidden, as a real app has one
    window.setWindowTitle("bare")
    menu = QMenu()
    menu.addAction("Open").triggered.connect(window.show)
    menu.addAction("Quit").triggered.connect(app.quit)
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray.setContextMenu(menu)
    tray.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
