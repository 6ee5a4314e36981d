"""On a HiDPI screen (devicePixelRatio 2) boxes, crops and drags land on the pixels meant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

#: A 1280×1024 screen on the left, a 1920×1080 one on its right.
SCREENS = Path(__file__).parents[1] / "support" / "two_screens.json"

#: A box and a crop in the picture's pixels, and a drag over the editor's canvas.
BOX = (100, 100, 50, 40)
CROP = (80, 90, 300, 200)
DRAG = (400, 300, 600, 300)

CODE = """
import json, sys
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from client.ui import resources
from client.ui.screenshot import Edits, Grab, ScreenshotEditor, grab_screens, render

out = sys.argv[1]
box, crop, drag = (QRect(*json.loads(a)) for a in sys.argv[2:5])
app = QApplication([])
resources.register_search_paths()
QCursor.setPos(1500, 200)  # on the right-hand screen
grabbed = grab_screens(allowed=True)
screen = grabbed.screen
screen.fill(QColor("white"))  # the offscreen screen is black; size and ratio stay as grabbed
grab = Grab(screen=screen, desktop=grabbed.desktop)
render(grab, Edits(boxes=(box,))).save(f"{out}/boxed.png")
cropped = render(grab, Edits(crop=crop, boxes=(box,)))
cropped.save(f"{out}/cropped.png")

editor = ScreenshotEditor(grab, Edits())
editor.show()
QTest.qWaitForWindowExposed(editor)
canvas = editor.canvas
# Where the picture shows (scaled to fit, centred), worked out here, not by the canvas.
scale = min(canvas.width() / screen.width(), canvas.height() / screen.height())
left = (canvas.width() - screen.width() * scale) / 2
top = (canvas.height() - screen.height() * scale) / 2
def on_canvas(x, y):
    return QPoint(round(left + x * scale), round(top + y * scale))
start = on_canvas(drag.left(), drag.top())
end = on_canvas(drag.left() + drag.width(), drag.top() + drag.height())
QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
QTest.mouseMove(canvas, end)
QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
(marked,) = editor.edits().boxes
print(json.dumps({
    "screen": [screen.width(), screen.height(), screen.devicePixelRatio()],
    "desktop": [grab.desktop.width(), grab.desktop.height()],
    "cropped": [cropped.width(), cropped.height(), cropped.devicePixelRatio()],
    "marked": [marked.x(), marked.y(), marked.width(), marked.height()],
    "picture_pixels_per_canvas_pixel": 1 / scale,
}))
"""


@pytest.fixture(scope="module")
def hidpi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Grab, edit and drag in a child process whose screens are scaled by 2."""
    # Qt reads the screen layout and scale factor once per process: a process of its own.
    out = tmp_path_factory.mktemp("hidpi")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={SCREENS}", QT_SCALE_FACTOR="2")
    arguments = [json.dumps(rect) for rect in (BOX, CROP, DRAG)]
    result = subprocess.run(
        [sys.executable, "-c", CODE, str(out), *arguments], env=env, capture_output=True,
        text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    return out, json.loads(result.stdout)


def _black(image: Image.Image, x: int, y: int) -> bool:
    return image.getpixel((x, y)) == (0, 0, 0)


def test_the_grab_is_in_device_pixels_with_ratio_2(hidpi: tuple[Path, dict[str, Any]]) -> None:
    _out, facts = hidpi
    assert facts["screen"] == [1920, 1080, 2.0], "the premise of the tests below"
    assert facts["desktop"] == [3200, 1080], "both screens at full resolution, side by side"


def test_a_box_blacks_out_exactly_the_pixels_drawn_over(
    hidpi: tuple[Path, dict[str, Any]],
) -> None:
    out, _facts = hidpi
    image = Image.open(out / "boxed.png").convert("RGB")
    x, y, width, height = BOX
    right, bottom = x + width - 1, y + height - 1
    inside = image.crop((x, y, right + 1, bottom + 1))
    assert set(inside.get_flattened_data()) == {(0, 0, 0)}
    for outside in ((x - 1, y), (x, y - 1), (right + 1, bottom), (right, bottom + 1)):
        assert not _black(image, *outside), outside


def test_a_crop_keeps_the_pixels_chosen_with_the_box_in_place(
    hidpi: tuple[Path, dict[str, Any]],
) -> None:
    out, facts = hidpi
    assert facts["cropped"] == [CROP[2], CROP[3], 1.0]
    image = Image.open(out / "cropped.png").convert("RGB")
    assert image.size == (CROP[2], CROP[3])
    x, y = BOX[0] - CROP[0], BOX[1] - CROP[1]  # the box, seen from the crop's corner
    right, bottom = x + BOX[2] - 1, y + BOX[3] - 1
    assert _black(image, x, y) and _black(image, right, bottom)
    assert not _black(image, x - 1, y) and not _black(image, right + 1, bottom + 1)


def test_a_drag_on_the_canvas_marks_the_pixels_dragged_over(
    hidpi: tuple[Path, dict[str, Any]],
) -> None:
    _out, facts = hidpi
    # Each canvas pixel covers a few picture pixels; rounding may cost one of them, and one more.
    slack = facts["picture_pixels_per_canvas_pixel"] + 1
    for got, wanted in zip(facts["marked"], DRAG, strict=True):
        assert abs(got - wanted) <= slack, (facts["marked"], DRAG)
