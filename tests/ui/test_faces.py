"""Faces read from untrusted bytes: within limits, the centre square, never a huge decode."""

from __future__ import annotations

import io

from PIL import Image

from client.ui.faces import MAX_FACE_BYTES, face_image, initials


def _encoded(size: tuple[int, int], colour: tuple[int, int, int], kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.paste((250, 250, 250), (0, 0, size[0] // 6, size[1]))  # a white band at the left
    image.save(out, kind)
    return out.getvalue()


def test_a_photo_becomes_its_centre_square_at_the_size_shown(qapp: object) -> None:
    image = face_image(_encoded((600, 300), (200, 10, 10), "JPEG"), 72)
    assert image is not None and (image.width(), image.height()) == (72, 72)
    assert image.pixelColor(2, 36).red() > 150 and image.pixelColor(2, 36).green() < 80, (
        "the band at the far left is cut off with the sides"
    )


def test_a_small_photo_is_not_blown_up(qapp: object) -> None:
    image = face_image(_encoded((40, 40), (10, 10, 200)), 72)
    assert image is not None and image.width() == 40


def test_what_is_not_a_usable_photo_gives_initials_instead(qapp: object) -> None:
    huge = io.BytesIO()
    Image.new("1", (20000, 20000)).save(huge, "PNG")  # ~50 KB that would decode to 400 MP
    assert len(huge.getvalue()) < MAX_FACE_BYTES
    assert face_image(huge.getvalue(), 72) is None
    assert face_image(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", 72) is None
    assert face_image(b"\x89PNG broken", 72) is None
    assert face_image(b"", 72) is None and face_image(None, 72) is None
    assert face_image(_encoded((10, 10), (1, 2, 3)) + b"\0" * MAX_FACE_BYTES, 72) is None


def test_initials_are_first_and_last_name() -> None:
    assert initials("Joost Bakker") == "JB"
    assert initials("Sanne de Vries") == "SV"
    assert initials("Kim") == "K"
    assert initials("  ") == "?"
