"""A ticket's conversation as messages, the way chat apps show one.

The service desk's messages on the left with the writer's face (initials), the
employee's on the right, each with its time; a change of stage as a quiet line
between them; files as items under their message that open when clicked (or
with Enter). Drawn by a delegate over a list view: only what is on screen is
painted, so 500 messages or a megabyte-long one keep the window responsive.

Everything here is untrusted text from the desk, laid out as plain text
(``QTextLayout``): markup is shown as written, right-to-left text runs the
way it is written, and a word too long for a line is broken anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from client.core.models import AttachmentInfo, EventKind, Ticket
from client.ui import texts
from client.ui.faces import round_picture

Index = QModelIndex | QPersistentModelIndex

#: How much of one message is shown, and of one line of it (the rest: "…").
MESSAGE_CHARS = 20_000
LINE_CHARS = 2_000
NAME_CHARS = 100
#: The attachment that carries the diagnostics; with it, the report's first paragraph
#: is the summary for the agent (client.core.reports.ticket_text), not the employee's words.
DIAGNOSTICS_FILE = "diagnostics.json"

FACE = 28
PAD = 8
GAP = 8
INSET = 10
RADIUS = 10.0
#: A file's icon before its name.
ICON = 16
#: The widest a bubble gets, as a share of the view.
BUBBLE_SHARE = 0.78


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def shown_text(text: str) -> str:
    """Untrusted text as a message shows it: plain, with long messages and lines cut."""
    lines = _cut(text, MESSAGE_CHARS).splitlines()
    return "\n".join(_cut(line, LINE_CHARS) for line in lines)


@dataclass(frozen=True)
class Message:
    """One entry of the conversation.

    ``mine``: the employee wrote it. ``note``: a change of stage ("Now: Resolved"),
    shown as a line of its own when there is no text.
    """

    who: str
    mine: bool
    at: datetime
    text: str = ""
    note: str = ""
    files: tuple[AttachmentInfo, ...] = ()

    @property
    def spoken(self) -> str:
        """The message as a screen reader reads it, and as it is copied."""
        parts = [self.note, self.text, *(f.filename for f in self.files)]
        return "\n".join(p for p in parts if p)


def own_words(ticket: Ticket) -> str:
    """The employee's report without the diagnostics summary the tray put on top for the agent."""
    text = ticket.description.strip()
    first = ticket.events[0] if ticket.events else None
    sent_with_diagnostics = first is not None and any(
        f.filename == DIAGNOSTICS_FILE for f in first.attachments
    )
    if sent_with_diagnostics and "\n\n" in text:
        return text.split("\n\n", 1)[1].strip()
    return "" if sent_with_diagnostics and " · " in text and "\n" not in text else text


_YOU = QT_TRANSLATE_NOOP("Conversation", "You")
_NOW = QT_TRANSLATE_NOOP("Conversation", "Now: %1")
_DESK = QT_TRANSLATE_NOOP("Conversation", "Service desk")


def _tr(text: object) -> str:
    return QCoreApplication.translate("Conversation", str(text))


def conversation(ticket: Ticket) -> list[Message]:
    """The ticket's report, then its public messages and changes of stage, in order."""
    first = ticket.events[0] if ticket.events else None
    created = first if first is not None and first.kind is EventKind.CREATED else None
    report = Message(
        _tr(_YOU),
        True,
        ticket.summary.created,
        shown_text(own_words(ticket)),
        files=created.attachments if created is not None else (),
    )
    messages = [report]
    for event in ticket.events:
        if event is created:
            continue
        if not event.text.strip() and event.new_stage is None and not event.attachments:
            continue
        note = ""
        if event.new_stage is not None:
            note = texts.fill(_tr(_NOW), texts.stage_label(event.new_stage))
        who = _cut(event.author or _tr(_DESK), NAME_CHARS) if event.by_agent else _tr(_YOU)
        messages.append(
            Message(
                who, not event.by_agent, event.at, shown_text(event.text), note, event.attachments
            )
        )
    return messages


class ConversationModel(QAbstractListModel):
    """The messages, one row each (``MESSAGE_ROLE``: the :class:`Message`)."""

    MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self.messages: list[Message] = []

    def set_messages(self, messages: list[Message]) -> None:
        """Show these messages (all at once: one reset)."""
        self.beginResetModel()
        self.messages = list(messages)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802, D102
        return 0 if parent.isValid() else len(self.messages)

    def data(self, index: Index, role: int = 0) -> object:  # noqa: D102
        if not index.isValid() or not 0 <= index.row() < len(self.messages):
            return None
        message = self.messages[index.row()]
        if role == self.MESSAGE_ROLE:
            return message
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{message.who}, {texts.moment(message.at, self._now())}: {message.spoken}"
        return None


def file_words(info: AttachmentInfo) -> str:
    """A file as its line under a message says it: its name, and its size when known."""
    name = _cut(info.filename, 80)
    return f"{name} · {texts.data_size(info.size)}" if info.size else name


@dataclass
class _Layout:
    """Where the parts of one message go, relative to its row's top left."""

    height: float
    bubble: QRectF
    face: QRectF | None
    header: QPointF
    body: QTextLayout | None
    body_at: QPointF
    files: list[tuple[QRectF, AttachmentInfo, str]]
    note: QRectF | None


class MessageDelegate(QStyledItemDelegate):
    """Draws a message as a bubble; tells which file a point is on."""

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._layouts: dict[tuple[int, int], _Layout] = {}
        self._smalls: dict[str, QFont] = {}

    def forget(self) -> None:
        """The messages changed: measure again."""
        self._layouts.clear()

    def _small(self, font: QFont) -> QFont:
        key = font.key()
        if key not in self._smalls:
            small = QFont(font)
            small.setPointSizeF(font.pointSizeF() * 0.85)
            self._smalls[key] = small
        return self._smalls[key]

    def _layout(self, message: Message, width: int, font: QFont, row: int) -> _Layout:
        key = (row, width)
        if key in self._layouts:
            return self._layouts[key]
        small = self._small(font)
        line = QFontMetricsF(small).height()
        if not message.text and not message.files:  # a change of stage only
            height = line + 2 * PAD
            found = _Layout(height, QRectF(), None, QPointF(), None, QPointF(), [],
                            QRectF(0, PAD, width, line))  # fmt: skip
            self._layouts[key] = found
            return found
        widest = max(int(width * BUBBLE_SHARE) - FACE - GAP, 120)
        inner = widest - 2 * INSET
        header_width = QFontMetricsF(small).horizontalAdvance(self._header(message))
        body = None
        body_height = 0.0
        body_width = 0.0
        text = "\n".join(p for p in (message.note, message.text) if p)
        if text:
            body = QTextLayout(text.replace("\n", "\u2028"), font)  # a layout's line break
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
            body.setTextOption(option)
            body.beginLayout()
            while True:
                text_line = body.createLine()
                if not text_line.isValid():
                    break
                text_line.setLineWidth(inner)
                text_line.setPosition(QPointF(0, body_height))
                body_height += text_line.height()
                body_width = max(body_width, text_line.naturalTextWidth())
            body.endLayout()
        metrics = QFontMetricsF(font)
        file_texts = [file_words(f) for f in message.files]
        files_width = max((metrics.horizontalAdvance(t) + ICON + 4 for t in file_texts),
                          default=0.0)  # fmt: skip
        content = min(max(header_width, body_width, files_width), inner)
        bubble_w = content + 2 * INSET
        bubble_h = INSET + line + 4 + body_height + len(file_texts) * metrics.height() + INSET
        if message.mine:
            left = width - PAD - bubble_w
            face = None
        else:
            left = PAD + FACE + GAP
            face = QRectF(PAD, PAD, FACE, FACE)
        bubble = QRectF(left, PAD, bubble_w, bubble_h)
        y = PAD + INSET + line + 4 + body_height
        files = []
        for info, words in zip(message.files, file_texts, strict=True):
            rect = QRectF(left + INSET, y, content, metrics.height())
            files.append((rect, info, words))
            y += metrics.height()
        found = _Layout(
            bubble_h + 2 * PAD, bubble, face, QPointF(left + INSET, PAD + INSET), body,
            QPointF(left + INSET, PAD + INSET + line + 4), files, None,
        )  # fmt: skip
        self._layouts[key] = found
        return found

    def _header(self, message: Message) -> str:
        return texts.fill("%1 · %2", message.who, texts.moment(message.at, self._now()))

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802, D102
        message = index.data(ConversationModel.MESSAGE_ROLE)
        width = option.rect.width() or 400
        return QSize(width, int(self._layout(message, width, option.font, index.row()).height) + 1)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: D102
        message: Message = index.data(ConversationModel.MESSAGE_ROLE)
        rect: QRect = option.rect
        found = self._layout(message, rect.width(), option.font, index.row())
        palette: QPalette = option.palette
        painter.save()
        painter.translate(rect.topLeft())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = self._small(option.font)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if found.note is not None:  # a change of stage: a quiet line of its own
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            words = texts.fill("%1 · %2", message.note, texts.moment(message.at, self._now()))
            painter.drawText(found.note, Qt.AlignmentFlag.AlignCenter, words)
            painter.restore()
            return
        if found.face is not None:
            ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
            painter.drawPixmap(found.face.topLeft(), round_picture(None, message.who, FACE, ratio))
        fill = palette.color(
            QPalette.ColorRole.Highlight if message.mine else QPalette.ColorRole.AlternateBase
        )
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if message.mine else QPalette.ColorRole.Text
        )
        painter.setPen(
            QPen(palette.color(QPalette.ColorRole.Text), 2) if focused
            else QPen(palette.color(QPalette.ColorRole.Mid), 1)
        )  # fmt: skip
        painter.setBrush(fill)
        painter.drawRoundedRect(found.bubble, RADIUS, RADIUS)
        painter.setFont(small)
        painter.setPen(ink)
        painter.drawText(found.header + QPointF(0, QFontMetricsF(small).ascent()),
                         self._header(message))  # fmt: skip
        painter.setFont(option.font)
        if found.body is not None:
            painter.setPen(ink)
            found.body.draw(painter, found.body_at)
        link = QFont(option.font)
        link.setUnderline(True)
        painter.setFont(link)
        painter.setPen(ink if message.mine else palette.color(QPalette.ColorRole.Link))
        icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for file_rect, _info, words in found.files:
            top = file_rect.top() + (file_rect.height() - ICON) / 2
            icon.paint(painter, QRect(int(file_rect.left()), int(top), ICON, ICON))
            words_rect = file_rect.adjusted(ICON + 4, 0, 0, 0)
            painter.drawText(words_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             words)  # fmt: skip
        painter.restore()

    def file_at(
        self, message: Message, row: int, rect: QRect, font: QFont, point: QPointF
    ) -> AttachmentInfo | None:
        """The file whose line is under ``point`` (view coordinates), if any."""
        found = self._layout(message, rect.width(), font, row)
        local = point - QPointF(rect.topLeft())
        return next((info for r, info, _ in found.files if r.contains(local)), None)


class ConversationView(QListView):
    """The conversation: a list of messages, the latest at the bottom.

    Signals:
        file_requested(AttachmentInfo): the employee wants to open a file.
    """

    file_requested = Signal(object)

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Keep the latest message in view while the batches are measured, until the
        #: employee scrolls themselves.
        self._stick_to_bottom = False
        self.setObjectName("conversation")
        self._now = now
        self.model_ = ConversationModel(now, self)
        self.setModel(self.model_)
        self.delegate = MessageDelegate(now, self)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        # Measured a hundred at a time between events: 500 messages never hold the window.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(40)
        self.verticalScrollBar().actionTriggered.connect(self._on_scrolled_by_hand)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        self.setAccessibleName(self.tr("Conversation"))
        self.setAccessibleDescription(
            self.tr("Messages with the service desk, oldest first. Enter opens a message's files.")
        )
        self._status = ""

    def show_messages(self, messages: list[Message]) -> None:
        """Show these messages, the latest in view."""
        self._status = ""
        self.delegate.forget()
        self.model_.set_messages(messages)
        if messages:
            last = self.model_.index(len(messages) - 1)
            self.setCurrentIndex(last)
            self._stick_to_bottom = True
            self.scrollToBottom()
        self.viewport().update()

    def updateGeometries(self) -> None:  # noqa: N802, D102
        super().updateGeometries()  # after each batch of messages is measured
        if self._stick_to_bottom:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())

    def _on_scrolled_by_hand(self, _action: int) -> None:
        self._stick_to_bottom = False

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802, D102
        self._stick_to_bottom = False
        super().wheelEvent(event)

    def show_status(self, text: str) -> None:
        """No messages to show, and why ("Loading the conversation…", an error)."""
        self.delegate.forget()
        self.model_.set_messages([])
        self._status = text
        self.viewport().update()

    @property
    def status(self) -> str:
        """What is said instead of messages ("" when messages are shown)."""
        return self._status

    def plain_text(self) -> str:
        """The whole conversation as text (who, when, what): for copying, and the tests."""
        if self._status:
            return self._status
        parts = []
        for message in self.model_.messages:
            head = texts.fill("%1 · %2", message.who, texts.moment(message.at, self._now()))
            parts.append(f"{head}\n{message.spoken}" if message.spoken else head)
        return "\n\n".join(parts)

    def resizeEvent(self, event: object) -> None:  # noqa: N802, D102
        self.delegate.forget()  # wrapped anew for the new width
        super().resizeEvent(event)  # type: ignore[arg-type]

    def paintEvent(self, event: object) -> None:  # noqa: N802, D102
        super().paintEvent(event)  # type: ignore[arg-type]
        if self._status:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            area = self.viewport().rect().adjusted(PAD, PAD, -PAD, -PAD)
            painter.drawText(area, flags, self._status)
            painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802, D102
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() is Qt.MouseButton.LeftButton:
            message = self.model_.messages[index.row()]
            info = self.delegate.file_at(message, index.row(), self.visualRect(index),
                                         self.font(), event.position())  # fmt: skip
            if info is not None:
                self.file_requested.emit(info)
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802, D102
        self._stick_to_bottom = False
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            files = self.model_.messages[index.row()].files
            if len(files) == 1:
                self.file_requested.emit(files[0])
                return
            if files:
                self._choose_file(files, index)
                return
        super().keyPressEvent(event)

    def _choose_file(self, files: tuple[AttachmentInfo, ...], index: QModelIndex) -> None:
        menu = QMenu(self)
        menu.setObjectName("conversationFiles")
        for info in files:
            action = menu.addAction(file_words(info))
            action.triggered.connect(lambda _=False, i=info: self.file_requested.emit(i))
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.viewport().mapToGlobal(self.visualRect(index).center()))
