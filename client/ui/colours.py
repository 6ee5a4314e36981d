"""The few colours we set ourselves, for a light and a dark desktop, and their contrast.

The app follows the operating system's palette: everything else is drawn in
its colours (``palette(…)`` in the style sheet, ``QPalette`` roles in painted
widgets). What we colour ourselves (a warning box, an error line, the stages
in the ticket list) comes in two schemes, picked by whether the palette is
light or dark, each checked to WCAG AA by ``tests/ui/test_colours.py``
(4.5:1 for text). In high-contrast mode our style sheet steps aside entirely:
the user's own colours win.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

#: The focus ring's width, logical pixels.
RING = 2
#: In how many steps an accent that does not stand out is moved to black or white.
ACCENT_STEPS = 20


@dataclass(frozen=True)
class Scheme:
    """Our colours for one kind of palette (``#rrggbb``)."""

    warning_text: str
    warning_back: str
    warning_border: str
    error_text: str
    #: The stages in the ticket list that need a colour: waiting for the employee,
    #: resolved, and done (closed or withdrawn).
    stage_waiting: str
    stage_resolved: str
    stage_done: str


LIGHT = Scheme(
    warning_text="#4d3200",
    warning_back="#fff4e5",
    warning_border="#b86e00",
    error_text="#b00020",
    stage_waiting="#a34700",
    stage_resolved="#2e7d32",
    stage_done="#5f5f5f",
)
DARK = Scheme(
    warning_text="#ffe0b2",
    warning_back="#3d2a00",
    warning_border="#d08a20",
    error_text="#ff8a80",
    stage_waiting="#ffb74d",
    stage_resolved="#81c784",
    stage_done="#b8b8b8",
)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette draws light text on a dark window."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def scheme_for(palette: QPalette | None = None) -> Scheme:
    """The scheme that fits ``palette`` (by default the application's)."""
    return DARK if is_dark(palette or QGuiApplication.palette()) else LIGHT


def high_contrast() -> bool:
    """Whether the user asked the system for high contrast (then our colours step aside)."""
    # Two steps: asked of a temporary, PySide drops the accessibility hints with it.
    style_hints = QGuiApplication.styleHints()
    hints = style_hints.accessibility()
    return hints.contrastPreference() == Qt.ContrastPreference.HighContrast


def themed(
    template: str,
    palette: QPalette,
    *,
    contrast: bool = False,
    accent: tuple[QColor, QColor] | None = None,
) -> str:
    """The style sheet ``template`` with its ``@name@`` colours filled for ``palette``.

    ``contrast``: high contrast is on: no style sheet at all. ``accent``: the
    organisation's colour and the text on it (:func:`accent_colours`) in place of
    the palette's highlight, for what the sheet draws and what the widgets paint.
    """
    if contrast:
        return ""
    sheet = template
    for name, value in asdict(scheme_for(palette)).items():
        sheet = sheet.replace(f"@{name}@", value)
    if accent is not None:
        colour, text = (c.name() for c in accent)
        sheet = sheet.replace("palette(highlight)", colour)
        sheet += f"\n* {{ selection-background-color: {colour}; selection-color: {text}; }}\n"
    return sheet


def luminance(colour: QColor) -> float:
    """WCAG's relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG's contrast ratio between two opaque colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blended(colour: QColor, background: QColor) -> QColor:
    """``colour`` as it shows over ``background`` (its alpha applied)."""
    alpha = colour.alphaF()
    return QColor.fromRgbF(
        colour.redF() * alpha + background.redF() * (1 - alpha),
        colour.greenF() * alpha + background.greenF() * (1 - alpha),
        colour.blueF() * alpha + background.blueF() * (1 - alpha),
    )


def accent_colours(accent: str, palette: QPalette) -> tuple[QColor, QColor] | None:
    """The organisation's accent as it can be used on ``palette``, and the text on it.

    The accent stands in for the palette's highlight: the stage line, the news
    dot, focus rings and selections. So it must stand out from the window and
    the fields (3:1, WCAG 1.4.11), and text on it must be readable (4.5:1,
    black or white, whichever reads better). An accent that fails is moved
    step by step away from the background (darker on a light desktop, lighter
    on a dark one) until it passes, keeping its hue as far as it can. ``None``:
    no accent, or a palette no accent can pass on (the palette's own is used).
    """
    colour = QColor(accent)
    if not accent or not colour.isValid():
        return None
    backgrounds = [palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)]
    toward = QColor("#ffffff") if is_dark(palette) else QColor("#000000")
    black, white = QColor("#000000"), QColor("#ffffff")
    for step in range(ACCENT_STEPS + 1):
        tried = _mixed(colour, toward, step / ACCENT_STEPS)
        text = max((black, white), key=lambda ink: contrast_ratio(ink, tried))
        stands_out = all(contrast_ratio(tried, back) >= 3.0 for back in backgrounds)
        if stands_out and contrast_ratio(text, tried) >= 4.5:
            return tried, text
    return None


def _mixed(colour: QColor, toward: QColor, share: float) -> QColor:
    """``colour`` moved ``share`` (0 to 1) of the way to ``toward``."""
    return QColor.fromRgbF(
        colour.redF() + (toward.redF() - colour.redF()) * share,
        colour.greenF() + (toward.greenF() - colour.greenF()) * share,
        colour.blueF() + (toward.blueF() - colour.blueF()) * share,
    )


def focus_ring_style() -> QProxyStyle:
    """The platform's style, with a focus ring anyone can see.

    Fusion marks the focused button with an outline at about 2.35:1 against the
    button; this draws a 2-pixel ring in the palette's highlight colour (3:1 or
    more against the button in both palettes, tests/ui/test_colours.py) around
    the focused button, check box or radio button.
    """

    class FocusRing(QProxyStyle):
        def drawPrimitive(  # noqa: N802
            self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
            widget: QWidget | None = None,
        ) -> None:  # fmt: skip
            super().drawPrimitive(element, option, painter, widget)
            ringed = (
                QStyle.PrimitiveElement.PE_PanelButtonCommand,
                QStyle.PrimitiveElement.PE_FrameFocusRect,
            )
            if element in ringed and option.state & QStyle.StateFlag.State_HasFocus:
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), RING)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                inset = RING / 2
                painter.drawRoundedRect(
                    QRectF(option.rect).adjusted(inset, inset, -inset, -inset), 3.0, 3.0
                )
                painter.restore()

    return FocusRing()
