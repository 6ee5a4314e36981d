"""Photos of people, decoded within a byte and a pixel limit (Pillow), on a worker.

A photo comes from a desk or the profile: untrusted bytes. A 30000 × 30000 PNG
is a few hundred KB on the wire and 3.6 GB once decoded, so the size is read
from the header (Pillow opens lazily) and refused before any pixel is decoded.
What is kept is scaled and cropped to the square it is shown in. Plain Python
over bytes: run it through the task runner, never on the GUI thread.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from client.adapters.desks.kit import MAX_PHOTO_BYTES
from client.core.errors import BadResponse
from client.core.models import Picture

__all__ = ["MAX_PHOTO_BYTES", "MAX_PHOTO_PIXELS", "decode_photo"]

#: The most pixels a photo may have: a 4096 × 4096 portrait, 64 MB while it is decoded.
MAX_PHOTO_PIXELS = 4096 * 4096
#: The file types a face comes in; anything else (SVG, TIFF, BMP, ...) is never opened.
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: The largest square a photo is shown in, in device pixels.
MAX_SIDE = 1024


def decode_photo(data: bytes, side: int) -> Picture:
    """``data`` as a ``side`` × ``side`` picture (scaled and cropped to fill it).

    Raises:
        BadResponse: too many bytes or pixels, a type not in :data:`FORMATS`, or
            not decodable; the caller shows the initials instead.
    """
    if not 0 < side <= MAX_SIDE:
        raise ValueError(f"a photo is shown 1 to {MAX_SIDE} pixels wide, not {side}")
    if len(data) > MAX_PHOTO_BYTES:
        raise BadResponse(f"a photo of {len(data)} bytes (at most {MAX_PHOTO_BYTES})")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width < 1 or height < 1 or width * height > MAX_PHOTO_PIXELS:
                raise BadResponse(f"a photo of {width} × {height} pixels")
            image.draft("RGB", (side, side))  # JPEG: decoded at 1/2 to 1/8 of its size
            fitted = ImageOps.fit(image.convert("RGBA"), (side, side))
            return Picture(side, side, fitted.tobytes())
    except BadResponse:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        # Pillow reports a broken file as any of these (UnidentifiedImageError is an OSError).
        raise BadResponse(f"an undecodable photo: {type(exc).__name__}: {exc}") from exc
