"""Screenshots as files: black boxes are really in the pixels that are sent."""

from __future__ import annotations

import io
import random
import subprocess
import sys

from PIL import Image, ImageChops

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter

from client.adapters.imaging import PillowEncoder
from client.ui.screenshot import Edits, Grab, render, rgb_rows

BOX = QRect(100, 80, 240, 60)


#: A window's few colours (a UI, not a photo), none of them black: any leak would show.
PALETTE = [QColor(c) for c in ("#f0f0f0", "#3465a4", "#cc0000", "#4e9a06", "#555753", "#fce94f")]


def _busy_screen(width: int = 640, height: int = 400) -> QImage:
    """Text-like strokes everywhere."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(PALETTE[0])
    rng = random.Random(3)
    painter = QPainter(image)
    for _ in range(4000):
        colour = rng.choice(PALETTE[1:])
        painter.fillRect(rng.randrange(width), rng.randrange(height), 3, 8, colour)
    painter.end()
    return image


def _photo_screen(width: int = 1920, height: int = 1080) -> QImage:
    """A photo wallpaper: smooth colour with texture, thousands of colours, none black."""
    texture = Image.effect_noise((width // 4, height // 4), 40).resize((width, height))
    ramp = Image.linear_gradient("L").resize((width, height))
    photo = Image.merge("RGB", (ImageChops.blend(ramp, texture, 0.4), texture, ramp))
    photo = ImageChops.add(photo, Image.new("RGB", photo.size, (30, 30, 30)))
    data = photo.tobytes()
    return QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def _decoded(encoder: PillowEncoder, image: QImage) -> Image.Image:
    attachment = encoder.encode(*rgb_rows(image), "screenshot")
    return Image.open(io.BytesIO(attachment.data)).convert("RGB")


def _brightest(image: Image.Image) -> int:
    """The highest channel value of any pixel (an RGB image has a tuple per pixel)."""
    return max(max(pixel) for pixel in image.get_flattened_data() if isinstance(pixel, tuple))


def test_a_black_box_overwrites_the_pixels_in_the_encoded_file(qapp: object) -> None:
    screen = _busy_screen()
    sent = render(Grab(screen=screen), Edits(boxes=(BOX,)))
    assert sent is not None
    decoded = _decoded(PillowEncoder(), sent)  # lossless: exactly what was painted
    inside = decoded.crop((BOX.x(), BOX.y(), BOX.right() + 1, BOX.bottom() + 1))
    assert set(inside.get_flattened_data()) == {(0, 0, 0)}
    outside = decoded.crop((0, 0, 90, 70))
    assert set(outside.get_flattened_data()) != {(0, 0, 0)}, "the rest is still there"


def test_a_black_box_survives_lossy_encoding_too(qapp: object) -> None:
    sent = render(Grab(screen=_busy_screen()), Edits(boxes=(BOX,)))
    assert sent is not None
    decoded = _decoded(PillowEncoder(target_bytes=1), sent)  # too big for lossless
    inner = decoded.crop((BOX.x() + 4, BOX.y() + 4, BOX.right() - 3, BOX.bottom() - 3))
    assert _brightest(inner) <= 8, "no trace of what was under it"


def test_a_crop_keeps_only_that_part_with_its_boxes(qapp: object) -> None:
    crop = QRect(50, 50, 400, 200)
    sent = render(Grab(screen=_busy_screen()), Edits(crop=crop, boxes=(BOX,)))
    assert sent is not None and (sent.width(), sent.height()) == (400, 200)
    decoded = _decoded(PillowEncoder(), sent)
    inside = decoded.crop((BOX.x() - 50, BOX.y() - 50, BOX.right() - 49, BOX.bottom() - 49))
    assert set(inside.get_flattened_data()) == {(0, 0, 0)}


def test_the_file_is_webp_and_named_for_it(qapp: object) -> None:
    attachment = PillowEncoder().encode(*rgb_rows(_busy_screen(64, 32)), "screenshot")
    assert (attachment.filename, attachment.content_type) == ("screenshot.webp", "image/webp")
    assert Image.open(io.BytesIO(attachment.data)).size == (64, 32)


def test_a_screen_that_looks_like_a_photo_is_encoded_lossy_and_kept_small(qapp: object) -> None:
    sent = render(Grab(screen=_photo_screen()), Edits(boxes=(BOX,)))
    assert sent is not None
    attachment = PillowEncoder().encode(*rgb_rows(sent), "screenshot")
    assert attachment.data[12:16] == b"VP8 ", "lossy WebP, not lossless (VP8L)"
    assert attachment.size <= 300 * 1024
    inner = _decoded(PillowEncoder(), sent).crop((BOX.x() + 4, BOX.y() + 4, BOX.right() - 3,
                                                   BOX.bottom() - 3))  # fmt: skip
    assert _brightest(inner) <= 8


def test_encoding_loads_the_webp_plugin_alone_not_all_of_pillows() -> None:
    # In a process of its own: what a test before this one imported would hide it.
    script = (
        "import sys\n"
        "from client.adapters.imaging import PillowEncoder\n"
        "shot = PillowEncoder().encode(64, 32, 64 * 3, bytes(64 * 32 * 3), 'screen')\n"
        "plugins = sorted(m for m in sys.modules if m.startswith('PIL.') and 'Plugin' in m)\n"
        "print(shot.filename, *plugins)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    name, *plugins = done.stdout.split()
    assert name == "screen.webp"
    assert "PIL.WebPImagePlugin" in plugins
    assert "PIL.TiffImagePlugin" not in plugins and len(plugins) <= 8, plugins
