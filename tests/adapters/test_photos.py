"""Photos of people are decoded within a byte and a pixel limit, checked before decoding."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from client.adapters.photos import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, decode_photo
from client.core.errors import BadResponse


def _encoded(width: int, height: int, kind: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "#3a6ea5").save(out, kind)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` and holds a few bytes of pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels)


def _zeros_png(width: int, height: int) -> bytes:
    """A real, decodable black PNG: tiny on the wire (zeros compress ~1000:1), huge decoded."""
    row = b"\0" + b"\0" * (3 * width)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
    return png + _chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("kind", "mode"), [("PNG", "RGB"), ("PNG", "P"), ("JPEG", "RGB"), ("GIF", "P"), ("PNG", "LA")]
)
def test_a_photo_is_scaled_to_the_size_shown(kind: str, mode: str) -> None:
    picture = decode_photo(_encoded(400, 300, kind, mode), side=64)
    assert (picture.width, picture.height) == (64, 64)
    assert len(picture.rgba) == 64 * 64 * 4


def test_a_photo_with_many_pixels_in_few_bytes_is_refused_before_decoding() -> None:
    side = int(MAX_PHOTO_PIXELS**0.5) + 64  # just over the limit: ~75 MB decoded
    bomb = _zeros_png(side, side)
    assert len(bomb) < MAX_PHOTO_BYTES // 8, "small on the wire"
    with pytest.raises(BadResponse, match="pixels"):
        decode_photo(bomb, side=64)


def test_a_30000_by_30000_png_is_refused_from_its_header() -> None:
    with pytest.raises(BadResponse):
        decode_photo(_png_header_only(30_000, 30_000), side=64)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html>not a photo</html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        _png_header_only(40, 40),  # cut short after its header
        _encoded(40, 40)[:-30],
        _encoded(40, 40, "BMP"),  # a format no desk needs for a face
        _encoded(40, 40, "TIFF"),
        _png_header_only(0, 40),
    ],
)
def test_an_undecodable_photo_is_a_bad_response(data: bytes) -> None:
    with pytest.raises(BadResponse):
        decode_photo(data, side=64)


def test_a_photo_over_the_byte_limit_is_refused_unread() -> None:
    with pytest.raises(BadResponse, match="bytes"):
        decode_photo(_encoded(40, 40) + b"\0" * MAX_PHOTO_BYTES, side=64)
