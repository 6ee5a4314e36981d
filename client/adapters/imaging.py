"""Screenshots as compact files, with Pillow (the ``ImageEncoder`` port).

Lossless WebP at its fastest setting keeps text sharp and a 1080p desktop of
windows and text around 100-200 KB in ~20 ms (docs/reference: qt-on-linux
§4). Photos (a wallpaper, a video) compress badly without loss: a screen that
looks like one (thousands of colours even when shrunk) is encoded lossy at
once, and a lossless result over ``target_bytes`` is redone lossy.
Where Pillow lacks WebP, JPEG is used.
"""

from __future__ import annotations

import io

from PIL import Image, features

from client.core.models import Attachment

#: The size a screenshot should keep to (a 1080p payload budget): lossless above it is redone
#: lossy, and lossy steps down in quality until it fits.
TARGET_BYTES = 300 * 1024
#: Every 8th pixel of a screen in more colours than this: mostly photo, encode it lossy.
PHOTO_COLOURS = 2048
#: Lossy WebP qualities, tried in turn until the file fits: text stays readable at each.
LOSSY_QUALITIES = (70, 50, 35)


def _looks_like_photo(image: Image.Image) -> bool:
    """Many distinct colours in every 8th pixel (a UI has a few hundred): ~1 ms for 1080p."""
    sample = image.resize((max(image.width // 8, 1), max(image.height // 8, 1)),
                          Image.Resampling.NEAREST)  # fmt: skip
    return sample.getcolors(maxcolors=PHOTO_COLOURS) is None


def _save(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _webp_plugin() -> bool:
    """Register Pillow's WebP plugin alone, if Pillow has WebP.

    Saving in a format Pillow has not registered makes it import every one of its
    ~40 plugins (``Image.init``): about 4 MB an idle tray would keep all day.
    """
    if not features.check("webp"):
        return False
    from PIL import WebPImagePlugin  # noqa: F401  (registers WEBP for Image.save)

    return True


class PillowEncoder:
    """Encodes RGB pixels as WebP (lossless when that stays small), else JPEG.

    ``target_bytes``: lossless only below it; lossy steps down until it fits.
    """

    def __init__(self, target_bytes: int = TARGET_BYTES) -> None:
        self._target_bytes = target_bytes
        self._webp = _webp_plugin()

    def encode(self, width: int, height: int, stride: int, rgb: bytes, stem: str) -> Attachment:
        """Encode 8-bit RGB rows (``stride`` bytes apart) as ``<stem>.webp`` or ``.jpg``."""
        image = Image.frombuffer("RGB", (width, height), rgb, "raw", "RGB", stride, 1)
        if self._webp:
            data = b""
            if not _looks_like_photo(image):
                data = _save(image, "WEBP", lossless=True, quality=0, method=0)
            for quality in LOSSY_QUALITIES:
                if data and len(data) <= self._target_bytes:
                    break
                data = _save(image, "WEBP", quality=quality, method=0)
            return Attachment(f"{stem}.webp", "image/webp", data)
        return Attachment(f"{stem}.jpg", "image/jpeg", _save(image, "JPEG", quality=85))
