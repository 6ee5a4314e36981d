"""Screenshots as files: black boxes are really in the pixels that are sent."""

from __future__ import annotations

import io
import random

from PIL import Image

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter

from client.adapters.imaging import PillowEncoder
from client.ui.screenshot import Edits, Grab, render, rgb_rows

BOX = QRect(100, 80, 240, 60)


def _busy_screen(width: int = 640, height: int = 400) -> QImage:
    """Text-like noise: every pixel differs from black, so any leak would show."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#f0f0f0"))
    rng = random.Random(3)
    painter = QPainter(image)
    for _ in range(4000):
        painter.fillRect(
            rng.randrange(width), rng.randrange(height), 3, 8,
            QColor(rng.randrange(40, 256), rng.randrange(40, 256), rng.randrange(40, 256)),
        )  # fmt: skip
    painter.end()
    return image


def _decoded(encoder: PillowEncoder, image: QImage) -> Image.Image:
    attachment = encoder.encode(*rgb_rows(image), "screenshot")
    return Image.open(io.BytesIO(attachment.data)).convert("RGB")


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
    lossy = PillowEncoder(max_lossless_bytes=1)  # as for a screen full of photos
    decoded = _decoded(lossy, sent)
    inner = decoded.crop((BOX.x() + 4, BOX.y() + 4, BOX.right() - 3, BOX.bottom() - 3))
    assert max(max(pixel) for pixel in inner.get_flattened_data()) <= 8, (
        "no trace of what was under it"
    )


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
