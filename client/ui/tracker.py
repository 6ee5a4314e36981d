"""One ticket like a parcel: the stages it passed, where it is, what comes next, the conversation.

``TicketTracker`` only shows what it is given and emits what the user asks
for. Everything from the desk (titles, names, messages) is untrusted: it is
shown as plain text, cut to a size a window can lay out, and nothing in it
is ever loaded from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.models import Agent, AttachmentInfo, Ticket, TicketRef, TicketSummary
from client.core.tracking import Action, Expectation, actions
from client.ui import texts
from client.ui.conversation import ConversationView, conversation
from client.ui.faces import round_picture
from client.ui.stepper import StageLine
from client.ui.widgets import pick_files, text_label, urgent_badge

TITLE_CHARS = 300
#: The handler's face, in pixels.
FACE_SIDE = 36


#: What the tracker says once the desk has the user's action.
_DONE = {
    Action.REPLY: QT_TRANSLATE_NOOP("TicketTracker", "Your answer is with the service desk."),
    Action.CONFIRM: QT_TRANSLATE_NOOP("TicketTracker", "Thank you. The ticket is closed."),
    Action.REOPEN: QT_TRANSLATE_NOOP(
        "TicketTracker", "The service desk knows it is still broken. The ticket is open again."
    ),
    Action.FIXED_ITSELF: QT_TRANSLATE_NOOP(
        "TicketTracker", "Thank you. The ticket is closed with your note."
    ),
    Action.URGENT: QT_TRANSLATE_NOOP("TicketTracker", "The service desk knows it is urgent now."),
}


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


class TrackerView(QVBoxLayout):
    """The widgets of the tracker; no behaviour."""

    def __init__(self, widget: QWidget, now: Callable[[], datetime]) -> None:
        super().__init__(widget)
        top = QHBoxLayout()
        self.back = QPushButton(self.tr("← All tickets"))
        self.back.setObjectName("back")
        self.back.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))  # Alt+← on Linux
        self.title = QLabel()
        self.title.setObjectName("trackerTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.urgent = urgent_badge("trackerUrgent")
        top.addWidget(self.back)
        top.addWidget(self.title, 1)
        top.addWidget(self.urgent, 0, Qt.AlignmentFlag.AlignTop)
        self.addLayout(top)

        # The way so far, drawn: done, where it is now, what is to come.
        self.stepper = StageLine(labels=True)
        self.stepper.setObjectName("stepper")
        self.addWidget(self.stepper)

        self.next = QLabel()
        self.next.setObjectName("nextStep")
        self.next.setTextFormat(Qt.TextFormat.PlainText)
        self.next.setWordWrap(True)
        self.expected = text_label("expected")
        font = self.expected.font()
        font.setBold(True)  # the question people ask first: when?
        self.expected.setFont(font)
        self.agent = QLabel()
        self.agent.setObjectName("agent")
        self.agent.setTextFormat(Qt.TextFormat.PlainText)
        # The handler's face (the profile's photo, the desk's, or initials) beside the name.
        self.agent_photo = QLabel()
        self.agent_photo.setObjectName("agentPhoto")
        self.agent_photo.setTextFormat(Qt.TextFormat.PlainText)  # a picture; never markup
        self.agent_photo.setFixedSize(FACE_SIDE, FACE_SIDE)
        self.agent_photo.hide()
        handler = QHBoxLayout()
        handler.setSpacing(8)
        handler.addWidget(self.agent_photo)
        handler.addWidget(self.agent, 1)
        for label in (self.next, self.expected):
            self.addWidget(label)
        self.addLayout(handler)

        self.conversation = ConversationView(now)
        self.addWidget(self.conversation, 1)

        self.reply = QPlainTextEdit()
        self.reply.setObjectName("reply")
        self.reply.setAccessibleName(self.tr("Your answer to the service desk"))
        self.reply.setTabChangesFocus(True)
        self.reply.setPlaceholderText(self.tr("Write to the service desk…"))
        self.reply.setMaximumHeight(72)  # about three lines; the conversation gets the rest
        self.addWidget(self.reply)
        self.files = QLabel()
        self.files.setObjectName("replyFiles")
        self.files.setTextFormat(Qt.TextFormat.PlainText)
        self.files.hide()
        self.addWidget(self.files)
        self.message = QLabel()
        self.message.setObjectName("trackerMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        self.addWidget(self.message)

        buttons = QHBoxLayout()
        self.attach = QPushButton(self.tr("Add a file…"))
        self.attach.setObjectName("attach")
        buttons.addWidget(self.attach)
        buttons.addStretch()
        self.buttons: dict[Action, QPushButton] = {}
        labels = {
            Action.CONFIRM: self.tr("It's fixed"),
            Action.REOPEN: self.tr("Still broken"),
            Action.FIXED_ITSELF: self.tr("It fixed itself"),
            Action.URGENT: self.tr("This is urgent now"),
            Action.REPLY: self.tr("Send reply"),
        }
        # What each does, for a screen reader (and a tooltip): the words alone do not say.
        what = {
            Action.CONFIRM: self.tr("Tells the service desk the problem is solved: the ticket "
                                    "closes."),
            Action.REOPEN: self.tr("Sends what you wrote above and opens the ticket again."),
            Action.FIXED_ITSELF: self.tr("Tells the service desk the problem went away by "
                                         "itself: the ticket closes with your note."),
            Action.URGENT: self.tr("Sends what you wrote above and asks for the ticket to be "
                                   "handled first."),
            Action.REPLY: self.tr("Sends what you wrote above, and the files you added."),
        }  # fmt: skip
        for action, words in labels.items():
            button = QPushButton(words)
            button.setObjectName(f"action-{action.value}")
            button.setAccessibleDescription(what[action])
            button.setToolTip(what[action])
            button.setAutoDefault(False)
            buttons.addWidget(button)
            self.buttons[action] = button
        self.addLayout(buttons)


class TicketTracker(QWidget):
    """Shows one ticket; emits what the user wants done with it.

    Signals:
        back_requested()
        action_requested(TicketRef, Action, str, list[str]): the ticket, what
            to do, the user's text, the files to send with a reply.
        handler_shown(Agent): another agent handles the ticket shown now; their
            face may follow (:meth:`set_handler_photo`).
        file_requested(TicketRef, AttachmentInfo): open one of the ticket's files.
    """

    back_requested = Signal()
    action_requested = Signal(object, object, str, list)
    handler_shown = Signal(object)
    file_requested = Signal(object, object)

    def __init__(
        self,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tracker")
        self._now = now
        self.view = TrackerView(self, now)
        self._summary: TicketSummary | None = None
        self._paths: list[str] = []
        self._busy = False
        self._handler: Agent | None = None
        self._availability = ""
        #: The last message of the ticket shown is the employee's (they have answered).
        self._answered = False
        self.view.back.clicked.connect(self.back_requested)
        self.view.conversation.file_requested.connect(self._on_conversation_file_requested)
        self.view.attach.clicked.connect(self._on_attach_clicked)
        for action, button in self.view.buttons.items():
            button.clicked.connect(lambda _=False, a=action: self._on_action_clicked(a))

    @property
    def ref(self) -> TicketRef | None:
        """The ticket shown."""
        return self._summary.ref if self._summary else None

    def show_ticket(self, summary: TicketSummary, expected: Expectation) -> None:
        """Show where the ticket is (the conversation follows with :meth:`show_detail`)."""
        other = self._summary is None or summary.ref != self._summary.ref
        self._summary = summary
        if other:
            self._answered = False  # until its conversation says otherwise
        view = self.view
        view.title.setText(
            texts.fill(self.tr("%1 · %2"), summary.ref, _cut(summary.title, TITLE_CHARS))
        )
        view.urgent.setVisible(summary.urgent)
        self._show_steps(summary)
        self._show_next()
        by = expected.by(summary.created)
        if expected.due is not None and by is not None:
            late = by < self._now()
            words = self.tr("Was expected by %1") if late else self.tr("Expected by %1")
            view.expected.setText(texts.fill(words, self._when(by)))
        elif by is not None and expected.usually is not None and by < self._now():
            view.expected.setText(
                texts.fill(
                    self.tr("Taking longer than usual: your tickets are usually dealt with "
                            "within %1."),
                    texts.duration(expected.usually),
                )
            )  # fmt: skip
        elif by is not None and expected.usually is not None:
            view.expected.setText(
                texts.fill(
                    self.tr("Usually dealt with within %1 (around %2)"),
                    texts.duration(expected.usually),
                    self._when(by),
                )
            )
        elif summary.stage.is_open:  # no basis for a promise: said plainly, none made
            view.expected.setText(
                self.tr(
                    "No expected time yet: the service desk has not set one, and too few "
                    "of your earlier tickets are done to go by."
                )
            )
        else:
            view.expected.setText("")
        view.expected.setVisible(bool(view.expected.text()))
        if summary.agent != self._handler:
            self._availability = ""  # the new handler's follows (set_handler_availability)
        self._show_handler_words()
        if summary.agent != self._handler:
            self._handler = summary.agent
            self.set_handler_photo(None)  # initials until a photo comes
            view.agent_photo.setVisible(summary.agent is not None)
            if summary.agent is not None:
                self.handler_shown.emit(summary.agent)
        offered = actions(summary.stage)
        for action, button in view.buttons.items():
            button.setVisible(action in offered)
        view.reply.setVisible(bool(offered))
        view.attach.setVisible(Action.REPLY in offered)
        if other:  # a poll showing the same ticket again leaves a running action alone
            view.conversation.show_status(self.tr("Loading the conversation…"))
            view.reply.clear()
            self._paths = []
            self._show_files()
            view.message.hide()
            self.set_busy(False)

    def _show_next(self) -> None:
        summary = self._summary
        if summary is None:
            return
        agent = _cut(summary.agent.name, 100) if summary.agent else ""
        self.view.next.setText(texts.next_step(summary.stage, agent, self._answered))

    @property
    def handler(self) -> Agent | None:
        """The agent handling the ticket shown (``None``: nobody yet)."""
        return self._handler

    def set_handler_availability(self, text: str) -> None:
        """Whether the handler is at work now, in words ("": not known)."""
        self._availability = text
        self._show_handler_words()

    def _show_handler_words(self) -> None:
        summary = self._summary
        agent = _cut(summary.agent.name, 100) if summary and summary.agent else ""
        words = (
            texts.fill(self.tr("Handled by %1"), agent)
            if agent
            else self.tr("Not assigned to anyone yet")
        )
        if agent and self._availability:
            words = texts.fill("%1 · %2", words, self._availability)
        self.view.agent.setText(words)

    def set_handler_photo(self, image: QImage | None) -> None:
        """The handler's face (``None``: their initials)."""
        name = self._handler.name if self._handler else ""
        ratio = self.devicePixelRatioF() or 1.0
        self.view.agent_photo.setPixmap(round_picture(image, name, FACE_SIDE, ratio))

    def show_detail(self, ticket: Ticket) -> None:
        """Show the conversation: the report, then public replies and changes in order."""
        if self._summary is None or ticket.summary.ref != self._summary.ref:
            return
        messages = [e for e in ticket.events if e.text.strip()]
        self._answered = bool(messages) and not messages[-1].by_agent
        self._show_next()
        self.view.conversation.show_messages(conversation(ticket))  # the latest in view

    def show_unavailable(self, text: str) -> None:
        """The conversation could not be loaded: say why (the stages still show)."""
        self.view.conversation.show_status(text)

    @property
    def has_draft(self) -> bool:
        """Whether closing now would lose something.

        A reply written, files chosen, or an action on its way.
        """
        return self._busy or bool(self._paths) or bool(self.view.reply.toPlainText().strip())

    def set_busy(self, busy: bool) -> None:
        """While an action is on its way, nothing else can be asked."""
        self._busy = busy
        for button in self.view.buttons.values():
            button.setEnabled(not busy)
        self.view.reply.setReadOnly(busy)

    def action_done(self, action: Action | None = None) -> None:
        """The desk has it: clear the reply box, and say what was done (``action``)."""
        self.view.reply.clear()
        self._paths = []
        self._show_files()
        self.view.message.hide()
        self.set_busy(False)
        if action is not None:
            self.show_message(self.tr(str(_DONE[action])))

    def action_failed(self, text: str) -> None:
        """It did not work: say why; what the user wrote stays."""
        self.show_message(text, role="error")
        self.set_busy(False)

    def show_message(self, text: str, role: str = "") -> None:
        """A line above the buttons: a hint or a confirmation, or (``role="error"``) a problem."""
        self.view.message.setProperty("role", role)
        self.view.message.style().polish(self.view.message)
        self.view.message.setText(text)
        self.view.message.show()

    def _when(self, when: datetime) -> str:
        return texts.moment(when, self._now())

    def _show_steps(self, summary: TicketSummary) -> None:
        self.view.stepper.set_stage(summary.stage)

    def _on_conversation_file_requested(self, file: AttachmentInfo) -> None:
        if self._summary is not None:
            self.show_message(texts.fill(self.tr("Opening %1…"), _cut(file.filename, 100)))
            self.file_requested.emit(self._summary.ref, file)

    def _on_attach_clicked(self) -> None:
        pick_files(self, self.tr("Add files to your reply"), "replyFilePicker", self.add_files)

    def add_files(self, paths: list[str]) -> None:
        """Files to send with the next reply."""
        self._paths += [p for p in paths if p not in self._paths]
        self._show_files()

    def _show_files(self) -> None:
        names = ", ".join(path.replace("\\", "/").rsplit("/", 1)[-1] for path in self._paths)
        self.view.files.setText(texts.fill(self.tr("With your reply: %1"), names))
        self.view.files.setVisible(bool(self._paths))

    def _on_action_clicked(self, action: Action) -> None:
        if self._summary is None or self._busy:
            return
        text = self.view.reply.toPlainText().strip()
        if not text and action in (Action.REPLY, Action.REOPEN, Action.URGENT):
            hints = {
                Action.REPLY: self.tr("Write your reply first."),
                Action.REOPEN: self.tr("Say what is still wrong, then press “Still broken”."),
                Action.URGENT: self.tr("Say why it is urgent now, then press the button again."),
            }
            self.show_message(hints[action])
            self.view.reply.setFocus()
            return
        self.set_busy(True)
        paths = list(self._paths) if action is Action.REPLY else []
        self.action_requested.emit(self._summary.ref, action, text, paths)
