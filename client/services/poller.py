"""Watching the user's tickets: one poll at a time, re-armed after each result, backing off."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from client.core.errors import AuthFailed, ClientError, Unavailable, as_client_error
from client.core.models import Cursor, Stage, Ticket, TicketRef, TicketSummary
from client.core.ports import DeskPort
from client.core.settings import Settings
from client.core.tracking import diff
from client.core.tray_state import ConnectionState
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: The slow interval when none is configured (the settings' default).
DEFAULT_SLOW_INTERVAL_S = float(Settings.poll_interval_s)
#: The rare interval (nothing open) when none is configured (the settings' default).
DEFAULT_RARE_INTERVAL_S = float(Settings.rare_poll_interval_s)
#: Where a ticket's story has ended. Every stage before these is open for the cadence:
#: a resolved ticket still waits for the employee's word, and an agent may answer it.
FINISHED = frozenset({Stage.CLOSED, Stage.CANCELLED})


@dataclass(frozen=True)
class _PollResult:
    """What one poll brought back; ``detail`` is ``None`` when the watched ticket was not asked."""

    changed: list[TicketSummary]
    cursor: Cursor
    watched: TicketRef | None
    detail: Ticket | ClientError | None


def _fetch(desk: DeskPort, ref: TicketRef) -> Ticket | ClientError:
    """The ticket, or what went wrong with this ticket alone (worker thread).

    A desk that is away, or that refuses the credential, is the poll's
    problem and raises; anything else concerns this one ticket.
    """
    try:
        return desk.ticket(ref)
    except (Unavailable, AuthFailed):
        raise
    except ClientError as error:
        return error
    except Exception as error:  # a bug of ours: logged, and the window says "could not load"
        logger.error("fetching ticket %s failed unexpectedly", ref, exc_info=error)
        return as_client_error(error)


def _poll(
    desk: DeskPort, cursor: Cursor | None, watched: TicketRef | None, fetch_watched: bool
) -> _PollResult:
    """One poll (worker thread): what changed, and the watched ticket when it is among them."""
    changed, new_cursor = desk.changed_tickets(cursor)
    detail = None
    if watched is not None and (fetch_watched or any(s.ref.id == watched.id for s in changed)):
        detail = _fetch(desk, watched)
    return _PollResult(changed, new_cursor, watched, detail)


class TicketPoller(QObject):
    """Asks the desk what changed, on a single-shot timer re-armed after every result.

    Never two polls in flight. Fast while someone is looking or a ticket
    changed a moment ago; slow while the user has an open ticket (any stage
    before closed or cancelled); rare when nothing is open, since nothing is
    coming soon and most desktops are in that state most of the time
    (architecture §5: what a fleet costs the desk). The slow and rare
    intervals are kept exactly, start to start: an hour never holds more
    polls than they allow, and news never waits longer than one interval.
    What keeps a fleet from polling in step is each desktop's own phase (when
    it started, when its user opened the menu); after the events that strike
    a fleet at once (the network back, a resume), the next wait is shortened
    by a random part of the jitter, once, which gives a new phase. The fast
    interval is jittered both ways; exponential backoff with jitter while
    the desk is away. A poll at once
    when the menu opens (:meth:`poll_now`), the network comes back
    (:meth:`on_network_up`) and after a resume from sleep, seen as the wall
    clock having moved much further than the monotonic one (which stands
    still while suspended). Waiting for a rare poll, the timer still wakes
    every slow interval to compare the clocks (no request), so a resume is
    noticed as soon as it was before.

    Signals:
        snapshot_updated(): the ticket list changed in any way (also the first load).
        tickets_changed(list[TicketChange]): what changed since the previous snapshot
            (never for the first snapshot: that is not news).
        connection_state_changed(ConnectionState): emitted on a change only (of the
            state, or of why the desk cannot be reached: :attr:`last_error`).
        credential_rejected(): the desk refused the credential; polling stopped.
        resumed(): the computer woke from sleep; a poll follows at once.
        ticket_loaded(Ticket): the watched ticket (or one asked for) with its history.
        ticket_failed(TicketRef, ClientError): that ticket could not be loaded.
    """

    snapshot_updated = Signal()
    tickets_changed = Signal(list)
    connection_state_changed = Signal(object)
    credential_rejected = Signal()
    resumed = Signal()
    ticket_loaded = Signal(object)
    ticket_failed = Signal(object, object)

    def __init__(
        self,
        runner: TaskRunner,
        *,
        slow_interval_s: float = DEFAULT_SLOW_INTERVAL_S,
        rare_interval_s: float = DEFAULT_RARE_INTERVAL_S,
        fast_interval_s: float = 20.0,
        recent_change_s: float = 600.0,
        min_gap_s: float = 5.0,
        backoff_start_s: float = 15.0,
        backoff_max_s: float = 600.0,
        jitter: float = 0.1,
        resume_jump_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Create an idle poller; nothing happens before :meth:`start`.

        Args:
            runner: runs the desk calls off the GUI thread.
            slow_interval_s: seconds between polls when nobody looks and nothing changed,
                while the user has an open ticket; also the longest the timer sleeps
                before it compares the clocks (a resume is noticed within it).
            rare_interval_s: the same while the user has no open ticket (never shorter
                than ``slow_interval_s``).
            fast_interval_s: seconds between polls while the tickets window is open, or
                for ``recent_change_s`` after a ticket changed.
            recent_change_s: how long a change keeps the fast interval.
            min_gap_s: an unforced :meth:`poll_now` within this time of the last poll is skipped.
            backoff_start_s: the first wait after a failure; it doubles up to ``backoff_max_s``.
            backoff_max_s: the longest wait after failures (a desk's ``Retry-After`` may ask
                for more).
            jitter: the fast interval and the backoff are spread by ± this fraction; after a
                network-back or resume poll, the next slow or rare wait is shortened by up to
                it, once (see the class documentation).
            resume_jump_s: the wall clock getting this much further ahead of the monotonic
                clock counts as a resume from sleep.
            clock: monotonic seconds (stands still during suspend, like Qt's timers).
            wall_clock: seconds since the epoch (counts the time asleep).
            rng: the jitter's random source.
            parent: the owning QObject.
        """
        super().__init__(parent)
        self._runner = runner
        self._slow = slow_interval_s
        self._rare = max(rare_interval_s, slow_interval_s)
        self._fast_interval = fast_interval_s
        self._recent_change = recent_change_s
        self._min_gap = min_gap_s
        self._backoff_start = backoff_start_s
        self._backoff_max = backoff_max_s
        self._jitter = jitter
        self._resume_jump = resume_jump_s
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._desk: DeskPort | None = None
        self._generation = 0
        self._in_flight = False
        self._fast = False
        self._failures = 0
        self._last_started: float | None = None
        self._last_change: float | None = None
        #: Whether the next slow or rare wait gets a new random phase (after a fleet-wide event).
        self._rephase = False
        #: (monotonic, wall) when the clocks were last compared, to notice a sleep.
        self._clock_marks: tuple[float, float] | None = None
        self._cursor: Cursor | None = None
        self._snapshot: dict[TicketRef, TicketSummary] = {}
        self._loaded = False
        self._watched: TicketRef | None = None
        self._watched_pending = False
        self._fetching: set[str] = set()
        self.state = ConnectionState.UNKNOWN
        self.last_error: ClientError | None = None
        #: Seconds until the next poll, as last planned (what tests and the log look at).
        self.next_delay_s: float | None = None
        #: Monotonic time the next poll is planned for (the timer may wake before it).
        self._due: float | None = None
        #: Whether the timer wakes before ``_due``, to compare the clocks (a rare wait).
        self._checking = False

    @property
    def tickets(self) -> list[TicketSummary]:
        """The user's tickets, most recently changed first."""
        return sorted(self._snapshot.values(), key=lambda t: t.updated, reverse=True)

    @property
    def loaded(self) -> bool:
        """Whether at least one poll succeeded since :meth:`start`."""
        return self._loaded

    @property
    def watched(self) -> TicketRef | None:
        """The ticket the tracker window shows, if any (see :meth:`watch`)."""
        return self._watched

    def start(self, desk: DeskPort) -> None:
        """Watch ``desk`` from scratch and poll at once."""
        self.stop()
        self._desk = desk
        self._clock_marks = (self._clock(), self._wall_clock())
        self._watched_pending = self._watched is not None
        self.poll_now(force=True)

    def stop(self) -> None:
        """Stop watching; a poll or fetch still in flight is ignored when it returns.

        The watched ticket is kept (it is what a window shows); the next
        :meth:`start` fetches it with its first poll.
        """
        self._generation += 1
        self._timer.stop()
        self._due = None
        self._desk = None
        self._in_flight = False
        self._failures = 0
        self._last_change = None
        self._rephase = False
        self._clock_marks = None
        self._cursor = None
        self._snapshot = {}
        self._loaded = False
        self._fetching = set()
        self._set_state(ConnectionState.UNKNOWN)

    def set_fast(self, fast: bool) -> None:
        """Poll often while the user is looking at their tickets."""
        if fast == self._fast:
            return
        self._fast = fast
        if fast and self.poll_now():
            return
        if self._in_flight or self._desk is None or self._failures:
            return  # the running poll, or the backoff, arms the timer itself
        self._arm(self._next_wait(self._interval()))

    def watch(self, ref: TicketRef | None) -> None:
        """Keep ``ref`` (the ticket the tracker window shows; ``None``: none) up to date.

        The next poll fetches it, and every poll after that in which it
        changed: :attr:`ticket_loaded` or :attr:`ticket_failed` follow.
        """
        if ref == self._watched:
            return
        self._watched = ref
        self._watched_pending = ref is not None

    def refresh_ticket(self, ref: TicketRef) -> bool:
        """Fetch one ticket now (a window opening on it); the answer comes as a signal.

        Returns whether a fetch was started (not without a desk, nor while
        the same ticket is being fetched already).
        """
        if self._desk is None or ref.id in self._fetching:
            return False
        self._fetching.add(ref.id)
        desk, generation = self._desk, self._generation
        self._runner.submit(
            lambda: desk.ticket(ref),
            owner=self,
            on_success=lambda ticket: self._on_ticket_fetched(generation, ref, ticket),
            on_error=lambda error: self._on_ticket_fetched(generation, ref, error),
        )
        return True

    def poll_now(self, *, force: bool = False, rephase: bool = False) -> bool:
        """Poll now unless one is in flight or (unless forced) one just started.

        A resume from sleep noticed here forces the poll. ``rephase``: the
        poll answers an event that struck many desktops at once; the wait
        after it gets a new phase. Returns whether a poll was started.
        """
        if self._desk is None:
            return False
        if self._woke_up():
            force = self._rephase = True
        if self._in_flight:
            return False
        now = self._clock()
        if (
            not force
            and self._last_started is not None
            and now - self._last_started < self._min_gap
        ):
            return False
        self._timer.stop()
        self._rephase = self._rephase or rephase
        self._in_flight = True
        self._last_started = now
        desk, cursor, generation = self._desk, self._cursor, self._generation
        watched, fetch_watched = self._watched, self._watched_pending
        self._runner.submit(
            lambda: _poll(desk, cursor, watched, fetch_watched),
            owner=self,
            on_success=lambda result: self._on_polled(generation, result),
            on_error=lambda error: self._on_poll_failed(generation, error),
        )
        return True

    @Slot(bool)
    def network_changed(self, online: bool) -> None:
        """The network went away (nothing to do) or came back (poll)."""
        if online:
            self.on_network_up()

    @Slot()
    def on_network_up(self) -> bool:
        """The network is back: poll now, and while backing off even right after a poll.

        A whole office's network comes back at once: the poll after this one
        gets a new random phase, so those desktops do not go on polling in step.
        Returns whether a poll was started.
        """
        return self.poll_now(force=self._failures > 0, rephase=True)

    def _woke_up(self) -> bool:
        """Whether the computer slept since the clocks were last compared (emits ``resumed``)."""
        mono, wall = self._clock(), self._wall_clock()
        if self._clock_marks is None:
            self._clock_marks = (mono, wall)
            return False
        mono_before, wall_before = self._clock_marks
        self._clock_marks = (mono, wall)
        asleep = (wall - wall_before) - (mono - mono_before)
        if asleep <= self._resume_jump:
            return False
        logger.info("resumed after about %.0f s asleep; polling at once", asleep)
        self.resumed.emit()
        return True

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._checking and self._due is not None:
            if self._woke_up():
                self._rephase = True  # a resume strikes many desktops at once
            else:
                remaining = self._due - self._clock()
                if remaining > 0.5:
                    self._start_timer(remaining)  # a look at the clocks on the way: no request
                    return
        self.poll_now(force=True)

    def _on_polled(self, generation: int, result: _PollResult) -> None:
        if generation != self._generation:
            return
        self._in_flight = False
        self._cursor = result.cursor
        self._failures = 0
        self.last_error = None
        previous = dict(self._snapshot)
        for summary in result.changed:
            self._snapshot[summary.ref] = summary
        first = not self._loaded
        self._loaded = True
        changes = [] if first else diff(previous, self._snapshot)
        if changes:
            self._last_change = self._clock()
        self._arm(self._next_wait(self._interval()))
        self._set_state(ConnectionState.ONLINE)
        if first:
            logger.info("%d ticket(s) loaded", len(self._snapshot))
        if first or changes:
            self.snapshot_updated.emit()
        if changes:
            logger.info("%d ticket change(s)", len(changes))
            self.tickets_changed.emit(changes)
        if result.watched is not None and result.detail is not None:
            if result.watched == self._watched:
                self._watched_pending = False
            self._emit_ticket(result.watched, result.detail)

    def _on_poll_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._in_flight = False
        if isinstance(error, AuthFailed):
            logger.warning("the desk refused the credential; polling stopped")
            self.last_error = error
            self.stop()
            self.credential_rejected.emit()
            return
        if not isinstance(error, ClientError):
            logger.error("poll failed unexpectedly", exc_info=error)
            error = ClientError(str(error))
        previous, self.last_error = self.last_error, error
        self._failures += 1
        if self._failures == 1 or self.state is not ConnectionState.OFFLINE:
            logger.warning("the desk is not answering (%s: %s)", error.code, error.detail)
        self._arm(self._backoff(error))
        # Still offline, but for another reason (the network is back, the server is not):
        # what the tray says must change with it.
        why = (error.code, getattr(error, "reason", None))
        other = previous is not None and (previous.code, getattr(previous, "reason", None)) != why
        self._set_state(ConnectionState.OFFLINE, again=other)

    def _on_ticket_fetched(
        self, generation: int, ref: TicketRef, outcome: Ticket | Exception
    ) -> None:
        if generation != self._generation:
            return
        self._fetching.discard(ref.id)
        if isinstance(outcome, Ticket) and ref == self._watched:
            self._watched_pending = False  # the next poll need not fetch it again
        if not isinstance(outcome, Ticket | ClientError):
            logger.error("fetching ticket %s failed unexpectedly", ref, exc_info=outcome)
            outcome = as_client_error(outcome)
        self._emit_ticket(ref, outcome)

    def _emit_ticket(self, ref: TicketRef, outcome: Ticket | ClientError) -> None:
        if isinstance(outcome, Ticket):
            self.ticket_loaded.emit(outcome)
        else:
            logger.info("ticket %s could not be loaded (%s)", ref, outcome.code)
            self.ticket_failed.emit(ref, outcome)

    def _interval(self) -> float:
        """Fast, slow or rare: see the class documentation.

        A ticket the tracker window shows is polled fast while the window is
        open; once it is closed, that ticket counts like any other.
        """
        recent = self._last_change is not None and (
            self._clock() - self._last_change < self._recent_change
        )
        if self._fast or recent:
            return self._fast_interval
        if any(ticket.stage not in FINISHED for ticket in self._snapshot.values()):
            return self._slow
        return self._rare

    def _jittered(self, seconds: float) -> float:
        return seconds * (1.0 + self._rng.uniform(-self._jitter, self._jitter))

    def _next_wait(self, interval: float) -> float:
        """Seconds from now to the next poll: ``interval`` after the last one started.

        The slow and rare intervals are exact (architecture §5 and §12: at most
        12 requests an hour with an open ticket, 2 without, and news heard of
        within one interval); only after a fleet-wide event is the wait
        shortened once by up to the jitter, for a new phase. The fast interval
        spreads both ways.
        """
        if interval == self._fast_interval:
            wait = self._jittered(interval)
        elif self._rephase:
            wait = interval * (1.0 - self._rng.uniform(0.0, self._jitter))
        else:
            wait = interval
        self._rephase = False
        since = 0.0 if self._last_started is None else self._clock() - self._last_started
        return wait - since

    def _backoff(self, error: ClientError) -> float:
        """The wait after this failure: doubling, jittered, capped, never before Retry-After."""
        base = min(self._backoff_start * 2 ** (self._failures - 1), self._backoff_max)
        delay = min(self._jittered(base), self._backoff_max)
        retry_after = error.retry_after if isinstance(error, Unavailable) else None
        if retry_after and delay < retry_after:
            # Never sooner than the desk asked; spread after it, so a fleet told
            # the same Retry-After does not come back in the same second.
            delay = retry_after * (1.0 + self._rng.uniform(0.0, self._jitter))
        return delay

    def _arm(self, seconds: float) -> None:
        delay = max(1.0, seconds)
        self.next_delay_s = delay
        self._due = self._clock() + delay
        self._start_timer(delay)

    def _start_timer(self, seconds: float) -> None:
        """Sleep ``seconds``, or only the slow interval: then the clocks are compared first."""
        self._checking = seconds > self._slow
        self._timer.start(round(min(seconds, self._slow) * 1000))

    def _set_state(self, state: ConnectionState, again: bool = False) -> None:
        if state is not self.state or again:
            self.state = state
            self.connection_state_changed.emit(state)
