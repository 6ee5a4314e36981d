"""The screenshot of the moment: grabbed before the report dialog appears, cropped and blacked out.

Boxes are opaque fills painted into the pixels (not a blur, which can be
undone), before the image is encoded; nothing of what is under a box leaves
the computer. Where the screen cannot be grabbed (Wayland, no display, IT
policy), the report goes without one and the dialog says why.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFocusEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QScreen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from client.ui import resources

logger = logging.getLogger(__name__)

#: Boxes and crops smaller than this (in screen pixels) are slips of the mouse.
MIN_SIDE = 4


@dataclass(frozen=True)
class Grab:
    """What the screen showed when the user clicked "Report", or why there is nothing.

    ``screen`` is the screen under the mouse; ``desktop`` all screens
    together, when there is more than one.
    """

    screen: QImage | None = None
    desktop: QImage | None = None
    reason: str = ""


def grab_screens(allowed: bool) -> Grab:
    """Grab the screen under the mouse (and the whole desktop when it has several screens)."""
    translate = QGuiApplication.translate
    if not allowed:
        reason = translate("Screenshot", "Your IT department has turned off screenshots.")
        return Grab(reason=reason)
    if QGuiApplication.platformName().startswith("wayland"):
        # QScreen.grabWindow returns nothing there (QTBUG-34976): the portal would ask first.
        return Grab(reason=translate("Screenshot", "Screenshots are not possible on this desktop."))
    screens = QGuiApplication.screens()
    under_mouse: QScreen | None = (
        QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
    )
    if under_mouse is None:  # no screen at all (a display that went away)
        return Grab(reason=translate("Screenshot", "There is no screen to take a picture of."))
    screen = under_mouse.grabWindow(0).toImage()
    if screen.isNull():
        return Grab(reason=translate("Screenshot", "The screen could not be captured."))
    desktop = None
    if len(screens) > 1:
        desktop = _compose([(s.geometry(), s.grabWindow(0).toImage()) for s in screens])
    return Grab(screen=screen, desktop=desktop)


def _compose(parts: list[tuple[QRect, QImage]]) -> QImage:
    """The screens side by side in their own pixels (a HiDPI screen is not shrunk to half)."""
    # A screen's logical geometry keeps its native top-left and divides only its size by the
    # devicePixelRatio; the grab has the native size. Placing each grab 1:1 at that corner
    # lays the screens out as the hardware does, with no gap and no scaling.
    native = [(QRect(geometry.topLeft(), image.size()), image) for geometry, image in parts]
    area = QRect()
    for rect, _image in native:
        area = area.united(rect)
    canvas = QImage(area.size(), QImage.Format.Format_RGB32)
    canvas.fill(QColor("black"))
    with _painting(canvas) as painter:
        for rect, image in native:
            painter.drawImage(rect.translated(-area.topLeft()), image)
    return canvas


@contextlib.contextmanager
def _painting(image: QImage) -> Iterator[QPainter]:
    """A QPainter on ``image`` that always ends."""
    painter = QPainter(image)
    try:
        yield painter
    finally:
        painter.end()


@dataclass(frozen=True)
class Edits:
    """What the user did to the screenshot: which picture, the part kept, the boxes."""

    desktop: bool = False
    crop: QRect | None = None
    #: Opaque boxes, in the picture's own pixels (before cropping).
    boxes: tuple[QRect, ...] = field(default_factory=tuple)


def render(grab: Grab, edits: Edits) -> QImage | None:
    """The picture as it will be sent: boxes painted in, then cropped."""
    source = grab.desktop if edits.desktop and grab.desktop is not None else grab.screen
    if source is None:
        return None
    image = source.convertToFormat(QImage.Format.Format_RGB888)
    # Edits are in the picture's pixels, but a grab of a HiDPI screen carries its
    # devicePixelRatio, and QPainter would take the boxes as logical coordinates: at ratio 2
    # a box would black out twice its size, twice as far from the corner, and leave bare
    # what the user covered. Working in plain pixels also keeps the ratio out of the result.
    image.setDevicePixelRatio(1.0)
    if edits.boxes:
        with _painting(image) as painter:
            for box in edits.boxes:
                painter.fillRect(box, QColor("black"))
    if edits.crop is not None:
        image = image.copy(edits.crop.intersected(image.rect()))
    return image


def rgb_rows(image: QImage) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per row and the RGB pixels, for an encoder."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return rgb.width(), rgb.height(), rgb.bytesPerLine(), bytes(rgb.constBits())


class _Canvas(QWidget):
    """Shows the picture scaled to fit; a mouse drag marks a rectangle (in picture pixels).

    Without a mouse: with the focus on it, a box shows in the middle; the arrow keys
    move it (with Shift in small steps), Ctrl with the arrow keys makes it larger or
    smaller, and Enter or Space marks it.
    """

    marked = Signal(QRect)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setMinimumSize(480, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._image = QImage()
        self._crop: QRect | None = None
        self._start: QPoint | None = None
        self._drag: QRect | None = None
        #: The keyboard's box, in picture pixels (made when the canvas first has the focus).
        self.keyboard_box: QRect | None = None

    def show_picture(self, image: QImage, crop: QRect | None) -> None:
        """Show ``image`` (boxes already painted in) with the part kept outlined."""
        self._image = image
        self._crop = crop
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802, D102
        return QSize(800, 480)

    def _frame(self) -> QRect:
        if self._image.isNull():
            return QRect()
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRect(
            QPoint((self.width() - size.width()) // 2, (self.height() - size.height()) // 2), size
        )

    def to_picture(self, point: QPoint) -> QPoint:
        """A point on the canvas in the picture's pixels."""
        frame = self._frame()
        if frame.isEmpty():
            return QPoint()
        x = (point.x() - frame.x()) * self._image.width() / frame.width()
        y = (point.y() - frame.y()) * self._image.height() / frame.height()
        return QPoint(
            int(min(max(x, 0), self._image.width())), int(min(max(y, 0), self._image.height()))
        )

    def to_canvas(self, rect: QRect) -> QRect:
        """A rectangle in picture pixels, on the canvas."""
        frame = self._frame()
        scale = frame.width() / max(self._image.width(), 1)
        return QRect(
            frame.x() + round(rect.x() * scale),
            frame.y() + round(rect.y() * scale),
            round(rect.width() * scale),
            round(rect.height() * scale),
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802, D102
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self.to_picture(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802, D102
        if self._start is not None:
            end = self.to_picture(event.position().toPoint())
            self._drag = QRect(self._start, end).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802, D102
        if self._start is None or event.button() != Qt.MouseButton.LeftButton:
            return
        rect = QRect(self._start, self.to_picture(event.position().toPoint())).normalized()
        self._start = self._drag = None
        self.update()
        if rect.width() >= MIN_SIDE and rect.height() >= MIN_SIDE:
            self.marked.emit(rect)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802, D102
        if self.keyboard_box is None and not self._image.isNull():
            width, height = self._image.width(), self._image.height()
            self.keyboard_box = QRect(width // 3, height * 3 // 8, width // 3, height // 4)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802, D102
        self.update()  # the keyboard's box shows only while it is in use
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802, D102
        box = self.keyboard_box
        if box is None or self._image.isNull():
            super().keyPressEvent(event)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.marked.emit(QRect(box))
            return
        arrows = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        direction = arrows.get(Qt.Key(event.key()))
        if direction is None:
            super().keyPressEvent(event)
            return
        modifiers = event.modifiers()
        fine = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        step_x = max(self._image.width() // (100 if fine else 20), 1) * direction[0]
        step_y = max(self._image.height() // (100 if fine else 20), 1) * direction[1]
        if modifiers & Qt.KeyboardModifier.ControlModifier:  # larger or smaller
            width = max(box.width() + step_x, MIN_SIDE)
            height = max(box.height() + step_y, MIN_SIDE)
            box = QRect(box.x(), box.y(), width, height)
        else:
            box = box.translated(step_x, step_y)
        self.keyboard_box = self._inside(box)
        self.update()

    def _inside(self, box: QRect) -> QRect:
        """``box`` moved (and if need be cut) to lie within the picture."""
        width = min(box.width(), self._image.width())
        height = min(box.height(), self._image.height())
        x = min(max(box.x(), 0), self._image.width() - width)
        y = min(max(box.y(), 0), self._image.height() - height)
        return QRect(x, y, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802, D102
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#3a3a3a"))
        frame = self._frame()
        if not frame.isEmpty():
            painter.drawImage(frame, self._image)
            if self._crop is not None:
                kept = self.to_canvas(self._crop)
                shade = QColor(0, 0, 0, 140)
                for part in _outside(frame, kept):
                    painter.fillRect(part, shade)
                painter.setPen(QPen(QColor("#f5b700"), 2))
                painter.drawRect(kept)
            if self._drag is not None:
                painter.setPen(QPen(QColor("#f5b700"), 2, Qt.PenStyle.DashLine))
                painter.drawRect(self.to_canvas(self._drag))
            if self.keyboard_box is not None and self.hasFocus():
                painter.setPen(QPen(QColor("#4fc3f7"), 3, Qt.PenStyle.DashLine))
                painter.drawRect(self.to_canvas(self.keyboard_box))
        painter.end()


def _outside(frame: QRect, kept: QRect) -> list[QRect]:
    """The parts of ``frame`` around ``kept`` (to shade what a crop leaves out)."""
    return [
        QRect(frame.left(), frame.top(), frame.width(), kept.top() - frame.top()),
        QRect(frame.left(), kept.bottom() + 1, frame.width(), frame.bottom() - kept.bottom()),
        QRect(frame.left(), kept.top(), kept.left() - frame.left(), kept.height()),
        QRect(kept.right() + 1, kept.top(), frame.right() - kept.right(), kept.height()),
    ]


class ScreenshotEditor(QDialog):
    """Black out what is private, keep only the part that matters; Done returns :meth:`edits`."""

    def __init__(self, grab: Grab, edits: Edits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        resources.dress(self, "screenshotEditor", self.tr("Edit the screenshot"))
        self._grab = grab
        self._edits = edits
        self._history: list[Edits] = []
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "Drag over anything private to black it out. It is painted over for good: "
                "nothing under a black box is sent. Without a mouse: Tab to the picture, "
                "move the box with the arrow keys (Ctrl: its size), Enter to black it out."
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        tools = QHBoxLayout()
        self.black_out = QRadioButton(self.tr("Black out"))
        self.black_out.setObjectName("blackOut")
        self.black_out.setChecked(True)
        self.crop = QRadioButton(self.tr("Keep only a part"))
        self.crop.setObjectName("crop")
        modes = QButtonGroup(self)
        modes.addButton(self.black_out)
        modes.addButton(self.crop)
        self.whole_desktop = QPushButton(self.tr("All screens"))
        self.whole_desktop.setObjectName("wholeDesktop")
        self.whole_desktop.setCheckable(True)
        self.whole_desktop.setChecked(edits.desktop)
        self.whole_desktop.setVisible(grab.desktop is not None)
        self.undo = QPushButton(self.tr("Undo"))
        self.undo.setObjectName("undo")
        self.start_again = QPushButton(self.tr("Start again"))
        self.start_again.setObjectName("startAgain")
        tools.addWidget(self.black_out)
        tools.addWidget(self.crop)
        tools.addStretch()
        for button in (self.whole_desktop, self.undo, self.start_again):
            tools.addWidget(button)
        layout.addLayout(tools)
        self.canvas = _Canvas(self)
        self.canvas.setAccessibleName(self.tr("Screenshot"))
        self.canvas.setAccessibleDescription(
            self.tr(
                "Arrow keys move the box, Ctrl with the arrow keys changes its size, "
                "Enter blacks it out (or keeps only that part)."
            )
        )
        layout.addWidget(self.canvas, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.done_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.done_button.setText(self.tr("Done"))
        self.done_button.setObjectName("done")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.canvas.marked.connect(self._on_canvas_marked)
        self.undo.clicked.connect(self._on_undo_clicked)
        self.start_again.clicked.connect(self._on_start_again_clicked)
        self.whole_desktop.toggled.connect(self._on_whole_desktop_toggled)
        self.resize(960, 640)
        self._show()

    def edits(self) -> Edits:
        """What the user did (read after Done)."""
        return self._edits

    def _change(self, edits: Edits) -> None:
        self._history.append(self._edits)
        self._edits = edits
        self._show()
        logger.info(
            "screenshot edited: %d box(es), %s",
            len(edits.boxes),
            "cropped" if edits.crop is not None else "whole",
        )

    def _show(self) -> None:
        picture = render(self._grab, replace(self._edits, crop=None))
        self.canvas.show_picture(picture if picture is not None else QImage(), self._edits.crop)
        self.undo.setEnabled(bool(self._history))
        self.start_again.setEnabled(bool(self._edits.boxes) or self._edits.crop is not None)

    def _on_canvas_marked(self, rect: QRect) -> None:
        if self.crop.isChecked():
            self._change(replace(self._edits, crop=rect))
        else:
            self._change(replace(self._edits, boxes=(*self._edits.boxes, rect)))

    def _on_undo_clicked(self) -> None:
        if self._history:
            self._edits = self._history.pop()
            self.whole_desktop.blockSignals(True)
            self.whole_desktop.setChecked(self._edits.desktop)
            self.whole_desktop.blockSignals(False)
            self._show()

    def _on_start_again_clicked(self) -> None:
        self._change(Edits(desktop=self._edits.desktop))

    def _on_whole_desktop_toggled(self, checked: bool) -> None:
        self._change(Edits(desktop=checked))  # boxes belong to the other picture
