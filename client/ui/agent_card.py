"""The face of the employee's service-desk agent: photo or initials, name, role, hours.

Shows what it is given and emits what the user asked for; it computes
nothing. Words for availability come from :func:`availability_text`; every
text from the profile is shown as plain text. Buttons open only ``mailto:``,
``tel:`` and ``https:`` links (the profile is checked for that already;
:meth:`AgentCard.contact_requested` carries the link to the app, which
opens it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    Qt,
    QTime,
    QUrl,
    Signal,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from client.ui.faces import round_picture
from client.ui.texts import fill
from client.ui.widgets import text_label

if TYPE_CHECKING:
    from client.core.availability import Availability
    from client.core.profile import Agent  # read from a profile, which imported it

# The photo's side on screen (logical pixels; the prepared PNG has twice as many).
PHOTO_SIDE = 64
# Links a card button may open.
LINK_SCHEMES = ("mailto", "tel", "https")


@dataclass(frozen=True)
class AgentCardData:
    """What the card shows: the agent, their availability, the texts' language, the user's zone."""

    agent: Agent
    availability: Availability
    now: datetime
    language: str = "en"
    # Words above the name, e.g. "Your service desk contact".
    heading: str = ""
    # Why what is shown may not be current, and what IT must do ("": nothing to say).
    notice: str = ""


def _tr(text: object) -> str:
    """``text`` (marked with QT_TRANSLATE_NOOP for lupdate) in the user's language."""
    return QCoreApplication.translate("AgentCard", str(text))


def heading_text() -> str:
    """The words above the agent's name."""
    return _tr(QT_TRANSLATE_NOOP("AgentCard", "Your IT contact"))


#: What the employee is told when IT's last update was refused, by refusal code; ``%1``
#: is the part concerned (timestamp, snapshot, targets, root). Each says what IT must do.
_REFUSALS = {
    "expired": QT_TRANSLATE_NOOP(
        "AgentCard", "IT's information has expired (%1). IT must sign it again."
    ),
    "bad_signature": QT_TRANSLATE_NOOP(
        "AgentCard", "IT's information failed its signature check (%1). IT must check its keys."
    ),
    "rollback": QT_TRANSLATE_NOOP(
        "AgentCard", "An older version of IT's information was offered (%1) and refused."
    ),
    "tampered": QT_TRANSLATE_NOOP(
        "AgentCard", "A file of IT's information was changed after signing. IT must publish again."
    ),
    "invalid": QT_TRANSLATE_NOOP(
        "AgentCard", "IT's information could not be read (%1). IT must publish it again."
    ),
    "no_trust": QT_TRANSLATE_NOOP(
        "AgentCard", "This computer has no key to check IT's information. IT must install it."
    ),
}


def notice_text(stale: bool, verified_at: float, refusal: str = "", role: str = "") -> str:
    """Why the card may not be current, in the user's words; ``""`` when it is.

    A refused update says which part and what IT must do; past the maximum age
    the card says since when IT has not confirmed it. A server that did not
    answer is not news until the profile is that old.
    """
    lines = []
    if stale:
        when = QLocale().toString(
            QDateTime.fromSecsSinceEpoch(int(verified_at)).date(), QLocale.FormatType.ShortFormat
        )
        lines.append(
            fill(
                _tr(QT_TRANSLATE_NOOP("AgentCard", "This may be out of date: last confirmed %1.")),
                when,
            )  # fmt: skip
        )
    template = _REFUSALS.get(refusal)
    if template is not None:
        lines.append(fill(_tr(template), role or "?"))
    return "\n".join(lines)


def _clock(moment: datetime) -> str:
    """The time of day as the user's language writes it (17:00, 5:00 PM)."""
    return QLocale().toString(QTime(moment.hour, moment.minute), QLocale.FormatType.ShortFormat)


def _when(moment: datetime, now: datetime, zone: tzinfo | None) -> str:
    """``moment`` in words: a time today or tomorrow, a weekday this week, else a date."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    clock = _clock(local)
    days = (local.date() - today.date()).days
    if days == 0:
        return fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "today at %1")), clock)
    if days == 1:
        return fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "tomorrow at %1")), clock)
    if days < 7:
        weekday = QLocale().dayName(local.isoweekday(), QLocale.FormatType.LongFormat)
        return fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "on %1 at %2")), weekday, clock)
    date = QLocale().toString(
        QDate(local.year, local.month, local.day), QLocale.FormatType.LongFormat
    )
    return fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "on %1")), date)


def availability_text(seen: Availability, now: datetime, zone: tzinfo | None = None) -> str:
    """Whether the agent is there, in the user's words and time zone (``None``: the system's)."""
    until = seen.until.astimezone(zone) if seen.until is not None else None
    if seen.available and until is not None and until.time() == time.max:
        text = _tr(QT_TRANSLATE_NOOP("AgentCard", "Available until midnight"))
    elif seen.available and until is not None:
        text = fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "Available until %1")), _clock(until))
    elif seen.available:
        text = _tr(QT_TRANSLATE_NOOP("AgentCard", "Available"))
    elif seen.back is not None:  # found within the look-ahead, else not known
        text = fill(_tr(QT_TRANSLATE_NOOP("AgentCard", "Back %1")), _when(seen.back, now, zone))
    else:
        text = _tr(QT_TRANSLATE_NOOP("AgentCard", "Away"))
    if seen.backup is not None:
        text += "; " + fill(
            _tr(QT_TRANSLATE_NOOP("AgentCard", "%1 helps you meanwhile")), seen.backup.name
        )
    return text


class AgentCard(QFrame):
    """A card with the agent's face and how to reach them.

    Signals:
        contact_requested(QUrl): the user chose e-mail, call or chat.
    """

    contact_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        self.photo = QLabel()
        self.photo.setObjectName("agentPhoto")
        self.photo.setFixedSize(PHOTO_SIDE, PHOTO_SIDE)
        row.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        self.heading = text_label("agentHeading")
        self.name = text_label("agentName")
        font = self.name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.name.setFont(font)
        self.role = text_label("agentRole")
        self.availability = text_label("agentAvailability")
        self.status = text_label("agentStatus")
        self.stale = text_label("agentStale")
        buttons = QHBoxLayout()
        self.email_button = self._button("agentEmail", buttons)
        self.call_button = self._button("agentCall", buttons)
        self.chat_button = self._button("agentChat", buttons)
        buttons.addStretch(1)
        for label in (self.heading, self.name, self.role, self.availability, self.status):
            words.addWidget(label)
        words.addWidget(self.stale)
        words.addLayout(buttons)
        row.addLayout(words, 1)
        self._links: dict[QPushButton, QUrl] = {}
        self._name = ""
        self._image: QImage | None = None

    def _button(self, name: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.clicked.connect(lambda: self._on_contact(button))
        row.addWidget(button)
        return button

    def _on_contact(self, button: QPushButton) -> None:
        link = self._links.get(button)
        if link is not None and link.scheme() in LINK_SCHEMES:
            self.contact_requested.emit(link)

    def show_agent(self, data: AgentCardData, zone: tzinfo | None = None) -> None:
        """Show ``data`` (times in ``zone``; ``None``: the system's)."""
        agent = data.agent
        self._name = agent.name
        self.heading.setText(data.heading)
        self.heading.setVisible(bool(data.heading))
        self.name.setText(agent.name)
        role = agent.role.get(data.language) if agent.role else ""
        self.role.setText(role)
        self.role.setVisible(bool(role))
        self.availability.setText(availability_text(data.availability, data.now, zone))
        status = data.availability.status.get(data.language) if data.availability.status else ""
        self.status.setText(status)
        self.status.setVisible(bool(status))
        self.stale.setText(data.notice)
        self.stale.setVisible(bool(data.notice))
        links = {
            self.email_button: (
                _tr(QT_TRANSLATE_NOOP("AgentCard", "E-mail")),
                f"mailto:{agent.email}" if agent.email else "",
            ),
            self.call_button: (
                _tr(QT_TRANSLATE_NOOP("AgentCard", "Call")),
                f"tel:{agent.phone.replace(' ', '')}" if agent.phone else "",
            ),
            self.chat_button: (_tr(QT_TRANSLATE_NOOP("AgentCard", "Chat")), agent.chat),
        }
        self._links = {}
        for button, (text, link) in links.items():
            button.setText(text)
            button.setVisible(bool(link))
            if link:
                self._links[button] = QUrl(link)
        self._paint_photo()

    def set_photo(self, png: bytes | None) -> None:
        """The agent's prepared photo (``None``: initials)."""
        image = QImage()
        if not (png and image.loadFromData(png, "PNG")):  # only the helper's PNGs
            image = QImage()
        self._image = None if image.isNull() else image
        self._paint_photo()

    def _paint_photo(self) -> None:
        ratio = self.devicePixelRatioF() or 1.0
        self.photo.setPixmap(round_picture(self._image, self._name, PHOTO_SIDE, ratio))
