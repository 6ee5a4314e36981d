"""The health history: real SQLite files, damaged ones, enormous ones."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from client.adapters.health_history import (
    FILE_NAME,
    KEEP_DAYS,
    HealthHistory,
    HistoryProblem,
)

NOW = 1_780_000_000.0
DAY = 20_600


def _aside(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if "-damaged-" in p.name)


def test_samples_and_counters_are_kept_between_passes(tmp_path: Path) -> None:
    path = tmp_path / "data" / FILE_NAME
    history = HealthHistory(path)
    assert history.counters() == {} and history.samples("slow.probe_ms", 0) == []
    history.save(NOW, DAY, {"slow.probe_ms": 2.5, "disk.free_gb": 80.0}, {"cpu": {"at": NOW}})
    history.save(NOW + 900, DAY + 1, {"slow.probe_ms": 3.0}, {"pressure": {"total_us": 5}})
    again = HealthHistory(path)  # a later pass: a new process
    assert again.samples("slow.probe_ms", DAY) == [(DAY, 2.5), (DAY + 1, 3.0)]
    assert again.samples("slow.probe_ms", DAY + 1) == [(DAY + 1, 3.0)]
    assert again.disk_series(DAY) == [(DAY, 80.0)]
    assert again.counters() == {"pressure": {"total_us": 5}}  # the newest replace them all
    assert again.note == "ok"


def test_within_a_with_block_the_file_stays_open_and_is_closed_after(tmp_path: Path) -> None:
    with HealthHistory(tmp_path / FILE_NAME) as history:
        history.save(NOW, DAY, {"slow.probe_ms": 1.0}, {})
        assert history._db is not None
        assert history.samples("slow.probe_ms", 0) == [(DAY, 1.0)]
    assert history._db is None


def test_values_that_are_not_numbers_are_never_stored(tmp_path: Path) -> None:
    history = HealthHistory(tmp_path / FILE_NAME)
    facts = {"a": float("nan"), "b": float("inf"), "c": float("-inf"), "d": 4.0}
    history.save(NOW, DAY, facts, {"good": [1, 2], "bad": {"x": float("nan")}, "odd": {1j}})
    for metric in "abc":
        assert history.samples(metric, 0) == []
    assert history.samples("d", 0) == [(DAY, 4.0)]
    assert history.counters() == {"good": [1, 2]}


def test_samples_older_than_the_kept_days_are_removed(tmp_path: Path) -> None:
    history = HealthHistory(tmp_path / FILE_NAME)
    history.save(NOW, DAY, {"slow.boot_s": 30.0}, {})
    history.save(NOW, DAY + KEEP_DAYS, {"slow.boot_s": 31.0}, {})
    assert history.samples("slow.boot_s", 0) == [(DAY, 30.0), (DAY + KEEP_DAYS, 31.0)]
    history.save(NOW, DAY + KEEP_DAYS + 1, {"slow.boot_s": 32.0}, {})
    assert history.samples("slow.boot_s", 0) == [
        (DAY + KEEP_DAYS, 31.0),
        (DAY + KEEP_DAYS + 1, 32.0),
    ]


def test_a_file_of_random_bytes_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    garbage = os.urandom(64 * 1024)
    path.write_bytes(garbage)
    history = HealthHistory(path)
    history.save(NOW, DAY, {"slow.probe_ms": 2.0}, {"cpu": {"at": NOW}})
    assert "moved aside" in history.note and "damaged" in history.note
    [aside] = _aside(tmp_path)
    assert aside.read_bytes() == garbage  # never deleted
    assert aside.name in history.note
    assert HealthHistory(path).samples("slow.probe_ms", 0) == [(DAY, 2.0)]


def _filled(path: Path, days: int) -> None:
    history = HealthHistory(path)
    with history:
        for day in range(days):
            history.save(NOW + day * 86400, DAY + day, {"slow.probe_ms": 2.0 + day}, {"n": day})


def test_a_truncated_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    _filled(path, 400)  # enough pages that half of them is a broken database
    size = path.stat().st_size
    assert size > 8192
    with path.open("r+b") as file:
        file.truncate(size // 2)
    history = HealthHistory(path)
    assert history.counters() == {}
    assert "damaged" in history.note and len(_aside(tmp_path)) == 1
    history.save(NOW, DAY, {"slow.probe_ms": 1.0}, {})
    assert HealthHistory(path).samples("slow.probe_ms", 0) == [(DAY, 1.0)]


def test_a_file_damaged_after_opening_is_moved_aside_on_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILE_NAME
    _filled(path, 3)
    history = HealthHistory(path)
    history.open()
    real = history._db
    assert real is not None
    close = real.close

    class _Corrupt:
        def execute(self, *args: object) -> object:
            error = sqlite3.DatabaseError("database disk image is malformed")
            error.sqlite_errorname = "SQLITE_CORRUPT"
            raise error

        def close(self) -> None:
            close()

    history._db = _Corrupt()  # type: ignore[assignment]
    assert history.samples("slow.probe_ms", 0) == []  # the new file: empty
    assert "damaged" in history.note and len(_aside(tmp_path)) == 1
    history.close()


def test_an_enormous_file_is_moved_aside_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILE_NAME
    _filled(path, 3)
    with path.open("r+b") as file:
        file.truncate(20 * 1024 * 1024)  # sparse: a valid start, then nothing but zeros
    opened: list[str] = []
    real_connect = sqlite3.connect

    def connect(database: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        name = os.fspath(database)  # type: ignore[call-overload]
        opened.append(name)
        assert not os.path.exists(name)  # only a new file is ever opened
        return real_connect(database, *args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(sqlite3, "connect", connect)
    history = HealthHistory(path, max_bytes=8 * 1024 * 1024)
    assert history.counters() == {}
    assert "was 20 MB" in history.note and "moved aside" in history.note
    [aside] = _aside(tmp_path)
    assert aside.stat().st_size == 20 * 1024 * 1024
    assert opened == [str(path)]  # only the new file


def test_a_history_that_cannot_be_made_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    history = HealthHistory(blocker / FILE_NAME)
    with pytest.raises(HistoryProblem, match="folder"):
        history.counters()


def test_a_season_of_passes_stays_well_under_the_size_limit(tmp_path: Path) -> None:
    """120 days of a pass every 15 minutes, four sampled metrics: the file's size."""
    path = tmp_path / FILE_NAME
    HealthHistory(path).save(NOW, DAY, {}, {})
    rows = [
        (NOW + n * 900.0, DAY + n // 96, metric, 1.0 + (n % 97) / 7)
        for n in range(KEEP_DAYS * 96)
        for metric in ("slow.probe_ms", "memory.pressure_percent", "disk.free_gb", "x.y")
    ]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO sample VALUES (?, ?, ?, ?)", rows)
    size = path.stat().st_size
    assert size < 4 * 1024 * 1024, size
