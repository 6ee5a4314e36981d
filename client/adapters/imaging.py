"""Screenshots as compact files, with Pillow (the ``ImageEncoder`` port).

Lossless WebP at its fastest setting keeps text sharp and a 1080p desktop
around 100-150 KB in ~20 ms (docs/reference: qt-on-linux §4). A screen full
of photos compresses badly without loss, so above ``max_lossless_bytes`` the
image is encoded lossy instead. Where Pillow lacks WebP, JPEG is used.
"""

from __future__ import annotations

import io

from PIL import Image, features

from client.core.models import Attachment

#: Above this a lossless screenshot is re-encoded lossy (a photo wallpaper, a video).
MAX_LOSSLESS_BYTES = 300 * 1024


def _save(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


class PillowEncoder:
    """Encodes RGB pixels as WebP (lossless when that stays small), else JPEG."""

    def __init__(self, max_lossless_bytes: int = MAX_LOSSLESS_BYTES) -> None:
        self._max_lossless_bytes = max_lossless_bytes
        self._webp = bool(features.check("webp"))

    def encode(self, width: int, height: int, stride: int, rgb: bytes, stem: str) -> Attachment:
        """Encode 8-bit RGB rows (``stride`` bytes apart) as ``<stem>.webp`` or ``.jpg``."""
        image = Image.frombuffer("RGB", (width, height), rgb, "raw", "RGB", stride, 1)
        if self._webp:
            data = _save(image, "WEBP", lossless=True, quality=0, method=0)
            if len(data) > self._max_lossless_bytes:
                data = _save(image, "WEBP", quality=80, method=0)
            return Attachment(f"{stem}.webp", "image/webp", data)
        return Attachment(f"{stem}.jpg", "image/jpeg", _save(image, "JPEG", quality=85))
