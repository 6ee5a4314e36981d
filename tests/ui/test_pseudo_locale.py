"""A language with longer words leaves no text cut off: a pseudo-locale in every window.

Every text Qt asks a translator for comes back longer (about 40 %) and with
accents, as German or Finnish would; then no label, button or box may need
more room than it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QEvent, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from tests.ui.test_accessibility import WINDOWS

_ACCENTS = str.maketrans("aeiouyAEIOUYcnsz", "àéîöûÿÀÉÎÖÛŸçñšž")
_KEEP = re.compile(r"(%\d|%n|&&|&|\n)")


class PseudoTranslator(QTranslator):
    """Every text longer and accented; placeholders, mnemonics and line breaks kept."""

    def translate(  # noqa: D102, N802
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if not source:
            return ""
        parts = _KEEP.split(source)
        text = "".join(p if _KEEP.fullmatch(p) else p.translate(_ACCENTS) for p in parts)
        return f"{text} {'~' * max(2, len(source) * 2 // 5)}"

    def isEmpty(self) -> bool:  # noqa: D102, N802
        return False


@pytest.fixture
def pseudo(qapp: QApplication) -> Iterator[None]:
    translator = PseudoTranslator(qapp)
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def clipped(window: QWidget) -> list[str]:
    """The texts in ``window`` that do not fit the room their widget has."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            room = widget.contentsRect()
            if widget.wordWrap():
                needed = widget.heightForWidth(room.width())
                if needed > room.height() + 1:
                    found.append(f"{widget.objectName() or widget.text()[:30]!r}: height")
            else:
                lines = widget.text().splitlines() or [""]
                wide = max(widget.fontMetrics().horizontalAdvance(line) for line in lines)
                if wide > room.width() + 1:
                    found.append(f"{widget.objectName() or widget.text()[:30]!r}: width")
        elif isinstance(widget, QAbstractButton) and widget.text():
            if widget.sizeHint().width() > widget.width() + 1:
                found.append(f"button {widget.text()[:30]!r}")
    return found


@pytest.mark.parametrize("name", list(WINDOWS))
def test_no_text_is_cut_off_in_a_longer_language(qtbot: QtBot, pseudo: None, name: str) -> None:
    window = WINDOWS[name]()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # Rows replaced while it showed are gone, and the layouts have had their turn.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    assert any("~~" in label.text() for label in window.findChildren(QLabel)), "translated"
    cut = clipped(window)
    assert cut == [], "\n".join(cut)


def test_the_check_sees_a_text_that_does_not_fit(qtbot: QtBot) -> None:
    window = QWidget()
    label = QLabel("A sentence far too long for sixty pixels", window)
    label.setObjectName("narrow")
    label.setFixedWidth(60)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert clipped(window) == ["'narrow': width"]
    label.setWordWrap(True)
    label.setFixedHeight(20)
    assert clipped(window) == ["'narrow': height"]
