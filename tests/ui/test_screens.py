"""Grabbing on a desktop with two screens: the one under the mouse, and all of them together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: A 1280×1024 screen on the left, a 1920×1080 one on its right.
SCREENS = Path(__file__).parents[1] / "support" / "two_screens.json"

CODE = """
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication
from client.ui.screenshot import grab_screens
app = QApplication([])
QCursor.setPos(1500, 500)  # on the right-hand screen
grab = grab_screens(allowed=True)
print(grab.screen.width(), grab.screen.height(), grab.desktop.width(), grab.desktop.height())
"""


def test_the_screen_under_the_mouse_and_the_whole_desktop(tmp_path: Path) -> None:
    # Qt reads the screen layout once per process: a process of its own.
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={SCREENS}")
    result = subprocess.run(
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.stdout.split() == ["1920", "1080", "3200", "1080"]
