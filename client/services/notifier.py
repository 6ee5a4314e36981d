"""Which ticket changes deserve a desktop notification, and when the tray needs attention.

The policy only; ``ui/notifications.py`` words and shows what this lets through.

Worth a toast (see :func:`worth_telling`): the desk waits for the user,
resolved or reopened the ticket, an agent wrote, someone took the ticket, or
one of the stage moves in :func:`meaningful_move`. Not worth one: "updated"
(nothing the list shows changed) and "new" (the user just filed it).

Then, in this order:

* **The user's own doing.** :meth:`Notifier.own_action` marks a ticket the
  user replied to, confirmed, reopened or called fixed from the tray. For
  ``grace_s`` after that, the changes such an action makes the desk do
  (reopened, resolved, other stage moves, updates) and replies the user had
  already seen are not news. A newer agent reply still is.
* **Once only.** A change is told once per session, keyed by ticket, kind and
  the reply time (for replies) or the stage, agent and update time (for the
  rest). The update time is in the key on purpose: a desk asking the user for
  something a second time, later, is news again.
* **Attention.** Whatever passed so far sets the attention state (the tray's
  "news for you" icon) until :meth:`Notifier.seen`, even when no toast shows.
* **Silence.** No toast while notifications are switched off, in the quiet
  hours, or for ``quiet_after_start_s`` (a setting) after :meth:`Notifier.started` and
  :meth:`Notifier.resumed`: a laptop that wakes up should not pop a burst of
  stale news.
* **Bursts.** One toast per ticket; when more than ``max_toasts`` tickets
  changed in one poll, one summary toast for all of them instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot

from client.core.models import Stage, TicketRef
from client.core.settings import Settings, in_quiet_hours, quiet_hours_span
from client.core.tracking import ChangeKind, TicketChange

logger = logging.getLogger(__name__)

#: Kinds that are news whatever the stages involved.
_ALWAYS_TOLD = frozenset(
    {
        ChangeKind.WAITING_ON_YOU,
        ChangeKind.RESOLVED,
        ChangeKind.REOPENED,
        ChangeKind.AGENT_REPLIED,
        ChangeKind.ASSIGNED,
    }
)

#: What the user's own reply, confirmation, reopening or "fixed itself" makes the desk do.
_CAUSED_BY_OWN_ACTION = frozenset(
    {
        ChangeKind.REOPENED,
        ChangeKind.RESOLVED,
        ChangeKind.STAGE_CHANGED,  # e.g. resolved -> closed after a confirmation
        ChangeKind.UPDATED,
        ChangeKind.AGENT_REPLIED,  # only a reply the user had seen; a newer one is news
    }
)

#: How many dedupe keys are kept; far more than one person's tickets change in a session.
_MAX_REMEMBERED = 2000


def meaningful_move(before: Stage, after: Stage) -> bool:
    """Whether a stage move with nothing else to tell (``STAGE_CHANGED``) deserves a toast.

    Yes: work started (received or assigned -> in progress), the ticket was
    closed without being resolved first (a duplicate, withdrawn), or it was
    cancelled. No: received <-> assigned without an agent (a new agent is
    ``ASSIGNED``), waiting-on-you -> in progress (the user just answered),
    resolved -> closed (the user was told when it was resolved).
    """
    if after is Stage.IN_PROGRESS:
        return before in (Stage.RECEIVED, Stage.ASSIGNED)
    if after is Stage.CLOSED:
        return before.is_open
    return after is Stage.CANCELLED


def worth_telling(change: TicketChange) -> bool:
    """Whether ``change`` is news for a toast, before own actions, dedupe and silence."""
    if change.replied or change.kind in _ALWAYS_TOLD:
        return True
    if change.kind is ChangeKind.STAGE_CHANGED and change.before is not None:
        return meaningful_move(change.before.stage, change.ticket.stage)
    return False


def _dedupe_key(change: TicketChange) -> Hashable:
    ticket = change.ticket
    if change.kind is ChangeKind.AGENT_REPLIED:
        return (ticket.ref, change.kind, ticket.agent_replied_at)
    return (ticket.ref, change.kind, ticket.stage, ticket.agent, ticket.updated)


@dataclass(frozen=True)
class _OwnAction:
    at: float  # clock()
    #: The newest agent reply the user could have seen when acting.
    seen_reply_at: datetime | None


class Notifier(QObject):
    """Decides which ticket changes become toasts, and whether the tray needs attention.

    Feed it the poller's changes (:meth:`on_changes`); tell it about the
    user's own actions, start-up, resume and when the tickets were looked at.
    ``clock`` is monotonic seconds; ``now`` the local wall-clock time (quiet hours).

    Signals:
        notify(TicketChange): show one toast for this change.
        notify_summary(list[TicketChange]): show one toast for all these changes
            (more than ``max_toasts`` tickets changed at once).
        attention_changed(bool): whether there are changes the user has not seen.
    """

    notify = Signal(object)
    notify_summary = Signal(list)
    attention_changed = Signal(bool)

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = datetime.now,
        grace_s: float = 300.0,
        max_toasts: int = 3,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._now = now
        self._grace = grace_s
        self._settle = 60.0
        self._max_toasts = max_toasts
        self._enabled = True
        self._quiet_hours: tuple[int, int] | None = None
        self._settle_until: float | None = None
        self._actions: dict[TicketRef, _OwnAction] = {}
        self._reply_seen: dict[TicketRef, datetime] = {}
        self._told: dict[Hashable, None] = {}  # insertion-ordered: the oldest go first
        self._unseen: set[TicketRef] = set()
        self.apply_settings(settings)

    @property
    def attention(self) -> bool:
        """Whether there are changes the user has not seen yet."""
        return bool(self._unseen)

    @property
    def unseen(self) -> frozenset[TicketRef]:
        """The tickets with news the user has not seen yet."""
        return frozenset(self._unseen)

    @Slot(object)
    def apply_settings(self, settings: Settings) -> None:
        """Follow the switch and the quiet hours in ``settings`` from now on."""
        self._enabled = settings.notifications_enabled
        self._quiet_hours = quiet_hours_span(settings.quiet_hours)
        self._settle = float(settings.quiet_after_start_s)

    @Slot()
    def started(self) -> None:
        """The app just started: no toasts for the ``quiet_after_start_s`` setting."""
        self._settle_until = self._clock() + self._settle

    @Slot()
    def resumed(self) -> None:
        """The computer woke up: no toasts for the ``quiet_after_start_s`` setting."""
        self._settle_until = self._clock() + self._settle

    @Slot()
    def seen(self) -> None:
        """The user looked at their tickets: nothing needs attention any more."""
        self._set_unseen(set())

    def own_action(self, ref: TicketRef, agent_replied_at: datetime | None = None) -> None:
        """The user just acted on ``ref`` from the tray (reply, confirm, reopen, fixed).

        ``agent_replied_at`` is the ticket's last agent reply as the user saw
        it when acting, if the caller knows it; a later reply is still news.
        """
        seen = [at for at in (agent_replied_at, self._reply_seen.get(ref)) if at is not None]
        self._actions[ref] = _OwnAction(self._clock(), max(seen, default=None))
        self._set_unseen(self._unseen - {ref})

    @Slot(list)
    def on_changes(self, changes: list[TicketChange]) -> None:
        """Take the changes of one poll: emit toasts and the attention state as due."""
        now = self._clock()
        self._actions = {
            ref: action for ref, action in self._actions.items() if now - action.at <= self._grace
        }
        due: dict[TicketRef, TicketChange] = {}
        for change in changes:
            if change.ref in due or not worth_telling(change):
                continue
            key = _dedupe_key(change)
            if key in self._told:
                continue
            self._remember(key)
            if self._caused_by_user(change):
                logger.debug("no toast for %s: the user's own doing", change.ref)
                continue
            due[change.ref] = change
        for change in changes:
            replied_at = change.ticket.agent_replied_at
            if replied_at is not None:
                known = self._reply_seen.get(change.ref)
                self._reply_seen[change.ref] = (
                    replied_at if known is None else max(known, replied_at)
                )
        if not due:
            return
        self._set_unseen(self._unseen | set(due))
        why_silent = self._why_silent(now)
        if why_silent:
            logger.debug("%d toast(s) not shown: %s", len(due), why_silent)
        elif len(due) > self._max_toasts:
            self.notify_summary.emit(list(due.values()))
        else:
            for change in due.values():
                self.notify.emit(change)

    def _caused_by_user(self, change: TicketChange) -> bool:
        action = self._actions.get(change.ref)
        if action is None:
            return False
        replied_at = change.ticket.agent_replied_at
        newer_reply = (
            change.replied
            and replied_at is not None
            and (action.seen_reply_at is None or replied_at > action.seen_reply_at)
        )
        return not newer_reply and change.kind in _CAUSED_BY_OWN_ACTION

    def _why_silent(self, now: float) -> str:
        if not self._enabled:
            return "notifications are switched off"
        if self._settle_until is not None and now < self._settle_until:
            return "just started or resumed"
        wall = self._now()
        if in_quiet_hours(self._quiet_hours, wall.hour * 60 + wall.minute):
            return "quiet hours"
        return ""

    def _remember(self, key: Hashable) -> None:
        self._told[key] = None
        if len(self._told) > _MAX_REMEMBERED:
            del self._told[next(iter(self._told))]

    def _set_unseen(self, unseen: set[TicketRef]) -> None:
        before = bool(self._unseen)
        self._unseen = unseen
        if bool(unseen) != before:
            self.attention_changed.emit(bool(unseen))
