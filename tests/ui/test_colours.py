"""Our colours in a light and a dark palette: WCAG AA for every pair we set, and the OS wins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from client.core.models import Stage
from client.ui import colours, resources
from client.ui.colours import DARK, LIGHT, Scheme, blended, contrast_ratio, scheme_for, themed

TEXT, UI = 4.5, 3.0  # WCAG AA: text; parts of the interface (1.4.11)


def _dark_palette() -> QPalette:
    """A dark desktop's palette, as KDE's Breeze Dark and GNOME's dark Adwaita set it."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2a2e32",
        QPalette.ColorRole.WindowText: "#fcfcfc",
        QPalette.ColorRole.Base: "#1b1e20",
        QPalette.ColorRole.AlternateBase: "#232629",
        QPalette.ColorRole.Text: "#fcfcfc",
        QPalette.ColorRole.Button: "#31363b",
        QPalette.ColorRole.ButtonText: "#fcfcfc",
        QPalette.ColorRole.Highlight: "#3daee9",
        QPalette.ColorRole.HighlightedText: "#fcfcfc",
        QPalette.ColorRole.Mid: "#4d5359",
        QPalette.ColorRole.PlaceholderText: "#a1a9b1",
        QPalette.ColorRole.Link: "#1d99f3",
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    return palette


def _light_palette() -> QPalette:
    return QApplication.style().standardPalette()  # Fusion's own: what offscreen uses


PALETTES = {"light": _light_palette, "dark": _dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[None]:
    before = qapp.palette()
    yield
    qapp.setPalette(before)


def _pairs(scheme: Scheme, palette: QPalette) -> list[tuple[str, str, str, float]]:
    """(what, foreground, background, the ratio it needs) for every pair we set."""
    window = palette.color(QPalette.ColorRole.Window).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    alternate = palette.color(QPalette.ColorRole.AlternateBase).name()
    pairs = [("warning", scheme.warning_text, scheme.warning_back, TEXT)]
    pairs += [("error", scheme.error_text, window, TEXT)]
    for stage in ("stage_waiting", "stage_resolved", "stage_done"):  # rows alternate
        colour = getattr(scheme, stage)
        pairs += [
            (stage, colour, base, TEXT),
            (f"{stage} (alternate row)", colour, alternate, TEXT),
        ]
    return pairs


@pytest.mark.parametrize("kind", list(PALETTES))
def test_every_colour_we_set_reads_at_wcag_aa(kind: str) -> None:
    palette = PALETTES[kind]()
    scheme = scheme_for(palette)
    assert scheme is (DARK if kind == "dark" else LIGHT)
    failing = [
        (what, round(contrast_ratio(QColor(fg), QColor(bg)), 2))
        for what, fg, bg, needed in _pairs(scheme, palette)
        if contrast_ratio(QColor(fg), QColor(bg)) < needed
    ]
    assert failing == []


@pytest.mark.parametrize("kind", list(PALETTES))
def test_the_drawn_parts_stand_out_from_what_they_are_drawn_on(kind: str) -> None:
    """The stepper's dots and line, the news dot and the focus ring use the palette."""
    from client.ui.stepper import StageLine

    palette = PALETTES[kind]()
    highlight, to_come, _inside = StageLine.colours(palette)  # what the stepper draws with
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        ground = palette.color(role)
        assert contrast_ratio(highlight, ground) >= UI, (kind, role)
        assert contrast_ratio(blended(to_come, ground), ground) >= UI, (kind, role)
        assert contrast_ratio(palette.color(QPalette.ColorRole.Text), ground) >= TEXT


def test_the_style_sheet_takes_the_palettes_colours_and_steps_aside_for_high_contrast() -> None:
    template = resources.style_sheet()
    assert "@warning_back@" in template
    light = themed(template, _light_palette())
    dark = themed(template, _dark_palette())
    assert "@" not in light and "@" not in dark, "every colour filled"
    assert LIGHT.warning_back in light and DARK.warning_back in dark
    assert themed(template, _dark_palette(), contrast=True) == ""


def test_a_window_follows_a_dark_desktop(
    qtbot: QtBot, qapp: QApplication, app_palette: None
) -> None:
    from client.ui.tickets_window import TicketsWindow, _stage_colour

    qapp.setPalette(_dark_palette())
    window = TicketsWindow()
    qtbot.addWidget(window)
    assert DARK.error_text in window.styleSheet() and LIGHT.error_text not in window.styleSheet()
    assert _stage_colour(Stage.WAITING_ON_YOU) == QColor(DARK.stage_waiting)


def test_wcag_contrast_is_computed_as_wcag_says() -> None:
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    half = QColor(0, 0, 0, 128)
    assert blended(half, QColor("#ffffff")).name() == "#7f7f7f"
    assert colours.is_dark(_dark_palette()) and not colours.is_dark(_light_palette())


def test_the_focused_button_has_a_ring_anyone_can_see(qtbot: QtBot, qapp: QApplication) -> None:
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    window = QWidget()
    resources.dress(window, "ringTest", "Ring")
    assert qapp.style().objectName() == "focusRing"
    layout = QVBoxLayout(window)
    first, second = QPushButton("Send"), QPushButton("Cancel")
    layout.addWidget(first)
    layout.addWidget(second)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    highlight = window.palette().color(QPalette.ColorRole.Highlight)

    def ring_pixels(button: QPushButton) -> int:
        image = button.grab().toImage()
        middle = image.height() // 2
        edge = [image.pixelColor(x, middle) for x in range(0, 3)]  # the left edge
        return sum(1 for c in edge if contrast_ratio(c, highlight) < 1.3)

    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    assert ring_pixels(first) >= 2, "two pixels of the highlight colour at the focused edge"
    assert ring_pixels(second) == 0, "none on the other button"
    button = window.palette().color(QPalette.ColorRole.Button)
    assert contrast_ratio(highlight, button) >= UI


@pytest.mark.parametrize("kind", PALETTES)
@pytest.mark.parametrize(
    "accent", ["#0057b8", "#0b6e4f", "#ffd700", "#ffffff", "#000000", "#3daee9", "#e30613"]
)
def test_an_organisations_accent_always_stands_out_and_carries_readable_text(
    qapp: QApplication, kind: str, accent: str
) -> None:
    palette = PALETTES[kind]()
    worn = colours.accent_colours(accent, palette)
    assert worn is not None
    colour, text = worn
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast_ratio(colour, palette.color(role)) >= UI, (kind, accent, role)
    assert contrast_ratio(text, colour) >= TEXT, (kind, accent)


def test_an_accent_that_passes_is_worn_as_it_is_and_one_that_fails_keeps_its_hue(
    qapp: QApplication,
) -> None:
    light, dark = _light_palette(), _dark_palette()
    assert colours.accent_colours("#0057b8", light) == (QColor("#0057b8"), QColor("#ffffff"))
    yellow = QColor("#ffd700")  # 1.4:1 on white: darkened
    adjusted, _text = colours.accent_colours(yellow.name(), light) or (QColor(), QColor())
    assert adjusted != yellow and abs(adjusted.hue() - yellow.hue()) <= 3
    green = QColor("#0b6e4f")  # 2.3:1 on Breeze Dark's window: lightened
    lighter, _text = colours.accent_colours(green.name(), dark) or (QColor(), QColor())
    assert lighter.lightness() > green.lightness() and abs(lighter.hue() - green.hue()) <= 3
    assert colours.accent_colours("", light) is None
    assert colours.accent_colours("not a colour", light) is None


def test_the_accent_takes_the_highlights_place_in_the_sheet_and_the_painted_parts(
    qapp: QApplication, qtbot: QtBot
) -> None:
    worn = (QColor("#8a7300"), QColor("#ffffff"))
    template = "QLabel#news { color: palette(highlight); }"
    sheet = themed(template, _light_palette(), accent=worn)
    assert "palette(highlight)" not in sheet and "#8a7300" in sheet
    assert themed(template, _light_palette(), accent=worn, contrast=True) == ""
    from client.ui.stepper import StageLine

    window = QWidget()
    qtbot.addWidget(window)
    line = StageLine(window)
    window.setStyleSheet(sheet)
    window.show()
    assert StageLine.colours(line.palette())[0] == QColor("#8a7300"), "the drawn stage line too"
