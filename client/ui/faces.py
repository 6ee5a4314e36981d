"""Faces of people: a photo in a circle, or initials on a calm colour; photos read safely.

Used by the agent card and the ticket tracker. :func:`face_image` reads
untrusted bytes (a desk's photo of an agent) within a byte and a pixel limit,
scaled while it is read: it may run on a worker thread (``QImage`` is not a
widget), and it never decodes a picture larger than it will be shown.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPainterPath, QPixmap

#: The largest photo file read (bytes); the desks' adapters stop at the same size.
MAX_FACE_BYTES = 2 * 1024 * 1024
#: The most pixels a photo may declare: a 4096 × 4096 portrait.
MAX_FACE_PIXELS = 4096 * 4096
#: The file types a face comes in; anything else (SVG, TIFF, ...) is never read.
FACE_FORMATS = (b"png", b"jpeg", b"jpg", b"gif", b"webp")


def initials(name: str) -> str:
    """Up to two letters for a face without a photo: first and last name."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def round_picture(image: QImage | None, name: str, side: int, ratio: float) -> QPixmap:
    """The photo, or the initials on a calm colour, in a circle ``side`` pixels wide."""
    pixmap = QPixmap(QSize(round(side * ratio), round(side * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addEllipse(QRectF(0, 0, side, side))
    painter.setClipPath(path)
    if image is not None and not image.isNull():
        painter.drawImage(QRectF(0, 0, side, side), image)
    else:
        hue = sum(map(ord, name)) % 360  # the same colour for the same person every time
        painter.fillRect(QRectF(0, 0, side, side), QColor.fromHsl(hue, 90, 110))
        font = QFont()
        font.setPixelSize(side * 2 // 5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.end()
    return pixmap


def face_image(data: bytes | None, side: int) -> QImage | None:
    """A square face at most ``side`` pixels from untrusted bytes; ``None`` when it will not do.

    Refused before decoding: more than :data:`MAX_FACE_BYTES`, a type that is
    not a photo, or a declared size over :data:`MAX_FACE_PIXELS` (a small file
    can declare a huge picture). The centre square is kept.
    """
    if not data or len(data) > MAX_FACE_BYTES:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    reader = QImageReader(buffer)
    if bytes(reader.format().data()).lower() not in FACE_FORMATS:
        return None
    size = reader.size()
    if size.isEmpty() or size.width() * size.height() > MAX_FACE_PIXELS:
        return None
    edge = min(size.width(), size.height())
    reader.setClipRect(
        QRectF((size.width() - edge) / 2, (size.height() - edge) / 2, edge, edge).toRect()
    )
    shown = min(edge, side)
    reader.setScaledSize(QSize(shown, shown))
    image = reader.read()
    return None if image.isNull() else image
