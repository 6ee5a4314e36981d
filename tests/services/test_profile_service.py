"""The profile in the running tray: the kept copy at once, updates on a schedule, never worse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QObject, QThreadPool

from client.core.errors import ClientError
from client.core.models import UpdateOutcome
from client.core.profile import FORMAT
from client.core.reading import Text
from client.services.profile import ProfileService
from client.services.tasks import SyncTaskRunner, TaskRunner

DAY = 86400.0


def _document(version: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": version,
        "agents": [{"id": "joost", "name": "Joost Bakker", "photo": "agents/joost.png"}],
        "departments": [{"id": "finance", "name": "Finance", "agent": "joost"}],
    }


@dataclass
class Kept:
    document: dict[str, Any]
    verified_at: float
    avatars: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def avatar(self, agent_id: str) -> bytes | None:
        return self.avatars.get(agent_id)

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)


class Source:
    """Stands for the profile helper: what an update does, and what is kept."""

    def __init__(self) -> None:
        self.kept_copy: Kept | None = None
        self.next: list[UpdateOutcome | ClientError | Kept] = []
        self.updates = 0
        self.cancelled = 0
        self.reads = 0

    def update(self) -> UpdateOutcome:
        self.updates += 1
        step = self.next.pop(0) if self.next else UpdateOutcome()
        if isinstance(step, ClientError):
            raise step
        if isinstance(step, Kept):
            self.kept_copy = step
            return UpdateOutcome()
        return step

    def kept(self) -> Kept | None:
        self.reads += 1
        return self.kept_copy

    def cancel(self) -> None:
        self.cancelled += 1


@pytest.fixture
def source() -> Source:
    return Source()


def _service(source: Source, now: list[float], **kwargs: Any) -> ProfileService:
    return ProfileService(SyncTaskRunner(), source, clock=lambda: now[0], **kwargs)


def test_at_start_the_profile_is_not_read_until_something_needs_it(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_document(1), now[0] - DAY)
    source.next = [Kept(_document(2), now[0])]
    service = _service(source, now)
    versions: list[int] = []
    service.changed.connect(lambda: versions.append(service.view.profile.version))  # type: ignore[union-attr]
    service.start()
    assert source.updates == 1, "a day old: updated at start all the same"
    assert versions == [] and service.view is None, "an idle tray holds none of it"
    service.want()  # the menu opened
    assert versions == [2] and service.wanted
    service.want()
    assert versions == [2], "read once; kept read from then on"


def test_the_kept_profile_shows_when_wanted_and_an_update_replaces_it(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_document(1), now[0] - DAY)
    source.next = [Kept(_document(2), now[0])]
    service = _service(source, now)
    versions: list[int] = []
    service.changed.connect(lambda: versions.append(service.view.profile.version))  # type: ignore[union-attr]
    service.want()  # asked for before start: read with the first read
    service.start()
    assert versions == [1, 2]
    view = service.view
    assert view is not None and not view.stale and view.refusal == ""
    assert service.refresh_pending, "the next update is scheduled"


def test_a_refused_update_keeps_what_is_shown_and_says_why(qtbot: QtBot, source: Source) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_document(1), now[0] - DAY)
    source.next = [UpdateOutcome("expired", "timestamp.json is expired", "timestamp")]
    service = _service(source, now)
    service.start()
    service.want()
    view = service.view
    assert view is not None and view.profile.version == 1
    assert (view.refusal, view.refusal_role) == ("expired", "timestamp")


def test_past_the_maximum_age_the_profile_is_shown_as_possibly_out_of_date(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_document(1), now[0] - 6 * DAY)
    source.next = [ClientError("the helper did not start")]
    service = _service(source, now, max_age_s=7 * DAY)
    service.start()
    service.want()
    before = service.view
    now[0] += 2 * DAY  # offline for two more days
    after = service.view
    assert before is not None and after is not None
    assert (before.stale, after.stale) == (False, True)
    assert service.refresh_pending, "an update that could not run is tried again later"


def test_without_any_verified_profile_there_is_nothing_to_show(
    qtbot: QtBot, source: Source
) -> None:
    source.next = [UpdateOutcome("no_trust", "no root", "root")]
    service = _service(source, [0.0])
    service.start()
    assert service.view is None
    assert service.last_update.refusal == "no_trust", "the tray can still say why"


def test_a_kept_document_that_is_no_profile_is_not_shown(qtbot: QtBot, source: Source) -> None:
    source.kept_copy = Kept({"format": 99, "version": 1}, 0.0)
    service = _service(source, [0.0])
    service.start()
    service.want()
    assert service.view is None


def test_photos_come_from_a_worker_and_initials_without_one(qtbot: QtBot, source: Source) -> None:
    source.kept_copy = Kept(_document(1), 0.0, {"joost": b"png"})
    service = _service(source, [0.0])
    got: list[bytes | None] = []
    service.avatar("joost", got.append)  # nothing read yet: initials
    service.start()
    service.want()
    service.avatar("joost", got.append)
    service.avatar("sanne", got.append)
    assert got == [None, b"png", None]


def test_the_policy_can_switch_photos_off(qtbot: QtBot, source: Source) -> None:
    source.kept_copy = Kept(_document(1), 0.0)
    service = _service(source, [0.0], photos=False)
    service.start()
    service.want()
    assert service.view is not None
    assert service.view.profile.agents["joost"].photo is None


def test_stop_cancels_and_schedules_nothing(qtbot: QtBot, source: Source) -> None:
    service = _service(source, [0.0])
    source.next = [UpdateOutcome()]
    assert service.update_now() and source.updates == 1
    service.stop()
    assert source.cancelled == 1 and not service.refresh_pending


def test_an_update_is_not_started_twice(qtbot: QtBot, source: Source) -> None:
    pool = QThreadPool()
    service = ProfileService(TaskRunner(pool), source, clock=lambda: 0.0)
    assert service.update_now()
    assert not service.update_now(), "one at a time"
    pool.waitForDone()
    qtbot.waitUntil(lambda: service.refresh_pending)
    assert source.updates == 1
    service.stop()
    assert source.cancelled == 1 and not service.refresh_pending


def test_a_profile_verified_a_moment_ago_is_not_updated_again_at_start(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_document(1), now[0] - 3600.0)  # an hour ago: a restart
    service = _service(source, now, refresh_s=6 * 3600.0)
    service.start()
    service.want()
    assert source.updates == 0, "a restart costs the web server nothing"
    assert service.view is not None and service.refresh_pending
    # The rest of the interval (5 h), not a whole one (6 h); Qt's coarse timers may add a little.
    assert service._timer.remainingTime() < 5.5 * 3600 * 1000


class HeldRunner(SyncTaskRunner):
    """Holds each job until the test runs it: a worker that has not finished yet."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Callable[[], None]] = []

    def submit(self, fn: Any, *, owner: Any, on_success: Any, on_error: Any) -> None:
        self.held.append(lambda: SyncTaskRunner.submit(
            self, fn, owner=owner, on_success=on_success, on_error=on_error))  # fmt: skip

    def finish(self) -> None:
        while self.held:
            self.held.pop(0)()


def test_for_the_menu_the_profile_is_read_at_once_and_the_start_read_adds_nothing(
    qtbot: QtBot, source: Source
) -> None:
    now = 1000 * DAY
    source.kept_copy = Kept(_document(1), now - 3600.0)
    runner = HeldRunner()
    service = ProfileService(runner, source, clock=lambda: now)
    shown: list[int] = []
    service.changed.connect(lambda: shown.append(1))
    service.start()  # the start read (verification time only) waits on its worker
    before = service.view
    assert runner.held and before is None
    service.want(at_once=True)  # the menu is about to open
    view = service.view
    assert view is not None and view.profile.version == 1, "in the menu as it opens"
    assert service.refresh_pending, "verified an hour ago: the next update in five hours"
    runner.finish()  # the start read comes back
    assert shown == [1] and source.reads == 2, "read twice from disk, parsed and shown once"
    assert source.updates == 0


def test_wanted_while_the_start_read_is_on_its_way_the_profile_is_read_after_it(
    qtbot: QtBot, source: Source
) -> None:
    now = 1000 * DAY
    source.kept_copy = Kept(_document(1), now - 3600.0)
    runner = HeldRunner()
    service = ProfileService(runner, source, clock=lambda: now)
    service.start()  # reads the verification time only, on a worker
    service.want()  # a report began before that read came back
    before = service.view
    assert before is None and len(runner.held) == 1
    runner.finish()  # the start read comes back, then the profile is read and shown
    view = service.view
    assert view is not None and view.profile.version == 1 and source.reads == 2
    assert source.updates == 0, "verified an hour ago: not updated at start"


def test_an_articles_body_is_read_on_a_worker_for_the_window_that_asked(
    qtbot: QtBot, source: Source
) -> None:
    source.kept_copy = Kept(_document(1), 0.0, files={"articles/vpn.md": b"# VPN"})
    service = _service(source, [0.0])
    window = QObject()
    got: list[bytes | None] = []
    service.article_body("articles/vpn.md", got.append, window)  # nothing read yet
    service.start()
    service.want()
    service.article_body("articles/vpn.md", got.append, window)
    service.article_body("articles/gone.md", got.append, window)
    assert got == [None, b"# VPN", None]


# --- the health checks' part -------------------------------------------------------------------

_SCRIPT = {"file": "fixes/s.sh", "sha256": "0" * 64, "length": 10}
_FIX = {
    "id": "clear-cache", "title": "Clear the cache", "changes": "Empties the cache.",
    "scripts": {"linux": {"interpreter": "sh", "detect": _SCRIPT, "fix": _SCRIPT}},
}  # fmt: skip


def _shown(service: ProfileService) -> int | None:
    """The version shown now (read fresh: each step of a test changes it)."""
    view = service.view
    return view.profile.version if view is not None else None


def _trusted(service: ProfileService) -> bool:
    return service.trusted


def _with_checks(version: int, limit: float) -> dict[str, Any]:
    return {
        **_document(version),
        "fixes": [_FIX],
        "health": {"rules": [{"id": "disk-low", "below": limit}]},
    }


def test_the_health_checks_read_the_fixes_and_rules_alone_and_again_after_an_update(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_with_checks(1, 5), now[0] - 2 * 3600)
    service = _service(source, now)
    assert service.fixes() == () and service.health_rules() == (), "not started: nothing"
    assert service.fix_titles() == {}
    service.read_checks()
    assert source.reads == 0
    service.start()  # verified two hours ago: no update at start
    service.read_checks()
    service.read_checks()
    assert source.reads == 2, "the start's read, and the checks' once"
    assert service.fix_titles() == {"clear-cache": Text({"en": "Clear the cache"})}
    assert [fix.id for fix in service.fixes()] == ["clear-cache"]
    assert service.published_health_rules() == [{"id": "disk-low", "below": 5}]
    (rule,) = service.health_rules()
    assert (rule.id, rule.below) == ("disk-low", 5.0)
    assert _shown(service) is None, "the agents and the rest are not read for the checks"

    source.next = [Kept(_with_checks(2, 8), now[0])]
    service.update_now()  # taken: the checks read again when next needed
    service.read_checks()
    assert [rule.below for rule in service.health_rules()] == [8.0]
    service.want()  # the panel: the whole profile serves the checks too
    assert _shown(service) == 2
    assert [fix.id for fix in service.fixes()] == ["clear-cache"]
    assert service.published_health_rules() == [{"id": "disk-low", "below": 8}]


def test_a_kept_document_of_another_format_has_no_fixes_or_rules_for_the_checks(
    qtbot: QtBot, source: Source
) -> None:
    source.kept_copy = Kept({**_with_checks(1, 5), "format": 99}, 0.0)
    service = _service(source, [0.0])
    service.start()
    service.read_checks()
    assert service.fixes() == () and service.health_rules() == ()
    assert service.published_health_rules() is None and service.fix_titles() == {}


def test_fixes_may_run_from_a_kept_profile_only_while_it_is_trusted(
    qtbot: QtBot, source: Source
) -> None:
    now = [1000 * DAY]
    source.kept_copy = Kept(_with_checks(1, 5), now[0] - 6 * DAY)
    source.next = [ClientError("the helper did not start")]
    service = _service(source, now, max_age_s=7 * DAY)
    assert not _trusted(service), "nothing verified yet"
    service.start()
    assert _trusted(service), "the server did not answer: still within its age"
    now[0] += 2 * DAY
    assert not _trusted(service), "past the policy's maximum age"
    now[0] -= 2 * DAY
    source.next = [UpdateOutcome("expired", "timestamp.json is expired", "timestamp")]
    service.update_now()
    assert not _trusted(service), "an update refused for anything but an unreachable server"
