"""Matching articles and fixes under a box the employee types into (the panel, the report).

Each suggestion is a flat button: the title on the first line, and under it
"Fix it yourself" for a fix or "Article" for an article, with a fix's
symptoms. A click, Enter or Space chooses it. Plain text only: titles come
from IT's profile, which is trusted, but nothing here renders markup anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from client.ui.widgets import discard, text_label

if TYPE_CHECKING:
    from client.services.self_help import Suggestion


class SuggestionList(QFrame):
    """Up to three matches; hidden when there are none.

    Signals:
        chosen(str, str): the employee chose one: its kind (``article``/``fix``) and id.
        left_upwards(): Up on the first match: the focus goes back to the box above.
    """

    chosen = Signal(str, str)
    left_upwards = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.heading: QLabel = text_label(f"{name}Heading")
        self.heading.setText(self.tr("This may help right away:"))
        layout.addWidget(self.heading)
        self.buttons: list[QPushButton] = []
        self.shown: list[Suggestion] = []
        self.hide()

    def show_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """Show these (none: hidden)."""
        if list(suggestions) == self.shown:
            return
        layout = self.layout()
        assert layout is not None
        for button in self.buttons:
            discard(layout, button)
        self.buttons = []
        self.shown = list(suggestions)
        for suggestion in suggestions:
            button = QPushButton(self._words(suggestion))
            button.setObjectName("suggestion")
            button.setProperty("kind", suggestion.kind)
            button.setFlat(True)
            button.setAccessibleName(suggestion.title)
            button.setAccessibleDescription(self._kind_words(suggestion))
            button.setToolTip(self._kind_words(suggestion))
            button.clicked.connect(
                lambda _checked=False, s=suggestion: self.chosen.emit(s.kind, s.id)
            )
            button.installEventFilter(self)
            layout.addWidget(button)
            self.buttons.append(button)
        self.setVisible(bool(suggestions))

    def focus(self, index: int) -> bool:
        """Put the focus on the match at ``index``; whether there is one."""
        if not self.isVisible() or not 0 <= index < len(self.buttons):
            return False
        self.buttons[index].setFocus()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802, D102
        # Up and Down move through the matches, as in a search box's drop-down (a button's
        # own arrow keys would wander to other buttons of the window); Enter chooses.
        if event.type() != QEvent.Type.KeyPress or watched not in self.buttons:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent) and isinstance(watched, QPushButton)
        current = self.buttons.index(watched)
        if event.key() == Qt.Key.Key_Down:
            self.focus(current + 1)
            return True
        if event.key() == Qt.Key.Key_Up and current > 0:
            self.focus(current - 1)
            return True
        if event.key() == Qt.Key.Key_Up:
            self.left_upwards.emit()  # from the first: back to the words
            return True
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            watched.click()
            return True
        return super().eventFilter(watched, event)

    def _kind_words(self, suggestion: Suggestion) -> str:
        if suggestion.kind == "fix":
            return self.tr("Fix it yourself: IT's fix, run with your permission")
        return self.tr("Read IT's article")

    def _words(self, suggestion: Suggestion) -> str:
        if suggestion.kind == "fix":
            kind = self.tr("Fix it yourself")
        else:
            kind = self.tr("Article")
        detail = f"{kind} · {suggestion.detail}" if suggestion.detail else kind
        return f"{_cut(suggestion.title)}\n{_cut(detail)}"


#: Characters a match's line may have: the panel is narrow, and a button does not wrap.
LINE = 56


def _cut(text: str) -> str:
    """``text`` cut at a word to fit a line, with "…" when something was left out."""
    if len(text) <= LINE:
        return text
    return text[: LINE - 1].rsplit(" ", 1)[0].rstrip(" ,·") + "…"
