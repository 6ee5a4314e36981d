"""Small widgets shared by several windows."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)


class Card(QFrame):
    """A framed row: a bold title over a line of detail, with room for buttons on the right.

    Both texts are plain text (never rich text: titles can come from anywhere).
    """

    def __init__(self, name: str, title: str, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.row = QHBoxLayout(self)
        words = QVBoxLayout()
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(detail)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        words.addWidget(self.title)
        words.addWidget(self.detail)
        self.row.addLayout(words, 1)


def plain_tooltip(text: str) -> str:
    """``text`` (from anywhere) as a tooltip that shows it as written.

    Qt decides per tooltip whether it is rich text: a ticket titled
    ``<img src="file:…">`` would be rendered, and read a file. Escaped and
    marked as rich text, it shows exactly as written.
    """
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def text_label(name: str, wrap: bool = True) -> QLabel:
    """A label named ``name`` that shows plain text only (names and titles come from anywhere)."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


_URGENT = QT_TRANSLATE_NOOP("Ticket", "Urgent")


def urgent_badge(name: str) -> QLabel:
    """A small "Urgent" tag for a ticket the desk treats as urgent (hidden until it is)."""
    badge = QLabel(QCoreApplication.translate("Ticket", str(_URGENT)))
    badge.setObjectName(name)
    badge.setTextFormat(Qt.TextFormat.PlainText)
    badge.setProperty("role", "urgent")
    badge.hide()
    return badge


def discard(layout: QLayout, widget: QWidget) -> None:
    """Take ``widget`` out of ``layout`` and delete it once control returns to the event loop.

    Hidden at once: until the deferred delete it would otherwise still be drawn,
    and reachable by Tab and by screen readers.
    """
    layout.removeWidget(widget)
    widget.hide()
    widget.deleteLater()


def pick_files(parent: QWidget, title: str, name: str, chosen: Callable[[list[str]], None]) -> None:
    """Ask for existing files without a nested event loop; ``chosen`` gets their paths."""
    picker = QFileDialog(parent, title)
    picker.setObjectName(name)
    picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
    picker.filesSelected.connect(chosen)
    picker.finished.connect(picker.deleteLater)
    picker.open()
