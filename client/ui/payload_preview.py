"""Exactly what will be sent: the ticket text, the diagnostics file and the image, as they are."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client.core.models import Attachment
from client.ui import resources, texts

#: Text files longer than this are shown only in part (they are sent whole).
_TEXT_SHOWN = 256 * 1024


def _text_view(text: str, name: str) -> QPlainTextEdit:
    view = QPlainTextEdit(text)
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


class PayloadPreview(QDialog):
    """Shows the report as the desk will receive it; every file is the very bytes that go."""

    def __init__(
        self,
        subject: str,
        text: str,
        attachments: list[Attachment],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        resources.dress(self, "payloadPreview", self.tr("What will be sent"))
        layout = QVBoxLayout(self)
        files = ", ".join(f"{a.filename} ({texts.data_size(a.size)})" for a in attachments)
        intro = QLabel(
            self.tr("Nothing has been sent yet. With your report go: %1").replace(
                "%1", files or self.tr("no files")
            )
        )
        intro.setObjectName("intro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName(self.tr("What will be sent"))
        pages: list[tuple[QWidget, str]] = [
            (_text_view(f"{subject}\n\n{text}", "ticketText"), self.tr("Text of the ticket"))
        ]
        pages += [(self._file_view(a), a.filename) for a in attachments]
        for page, title in pages:
            page.setAccessibleName(title)  # a screen reader names each page by its tab
            self.tabs.addTab(page, title)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 620)

    def _file_view(self, attachment: Attachment) -> QWidget:
        if attachment.content_type.startswith("image/"):
            image = QImage.fromData(attachment.data)
            if not image.isNull():
                picture = QLabel()
                picture.setObjectName("image")
                picture.setPixmap(QPixmap.fromImage(image))
                scroll = QScrollArea()
                scroll.setWidget(picture)
                return scroll
        if attachment.content_type.startswith("text/") or attachment.content_type in (
            "application/json",
            "application/xml",
        ):
            shown = attachment.data[:_TEXT_SHOWN].decode("utf-8", errors="replace")
            if attachment.size > _TEXT_SHOWN:
                shown += "\n\n" + self.tr("(Only the beginning is shown here; all of it is sent.)")
            return _text_view(shown, "fileText")
        return QLabel(
            self.tr("%1: %2, sent as it is.")
            .replace("%1", attachment.filename)
            .replace("%2", texts.data_size(attachment.size))
        )
