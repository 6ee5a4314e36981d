"""The health helper as the tray runs it: a real process, one request, one answer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from client.adapters import health_helper
from client.adapters.health_helper import fill_days, health_helper_command, parse_request
from client.adapters.health_history import FILE_NAME, HealthHistory
from client.adapters.helper_process import OneShotHelper

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-P", "-m", "client", "--health-helper"]
NOW = float(int(time.time()))
TODAY = int(NOW // 86400)  # utc_offset_s 0 in these requests


def _ask(request: object, *, raw: str | None = None) -> tuple[int, dict[str, Any], str]:
    text = raw if raw is not None else json.dumps(request)
    result = subprocess.run(
        COMMAND, input=text, capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    answer = json.loads(result.stdout)
    assert isinstance(answer, dict)
    return result.returncode, answer, result.stderr


def _request(history: Path, now: float = NOW, **more: object) -> dict[str, object]:
    return {
        "history": str(history),
        "desk_host": "",
        "network": False,
        "tray_start_s": None,
        "now": now,
        "utc_offset_s": 0,
        **more,
    }


def test_a_pass_answers_facts_and_the_second_one_cpu_use_since_the_first(tmp_path: Path) -> None:
    history = tmp_path / "data" / FILE_NAME
    code, first, stderr = _ask(_request(history, tray_start_s=1.75))
    assert code == 0, stderr
    assert first["history"] == "ok"
    assert {"disk.free_percent", "disk.free_gb", "memory.available_percent"} <= set(first["facts"])
    assert "cpu.top_percent" not in first["facts"]
    assert first["took_ms"]["checks"] > 0 and first["took_ms"]["network"] == 0
    assert first["slowdowns"] == [] and isinstance(first["skipped"], list)
    code, second, _ = _ask(_request(history, NOW + 60))
    assert code == 0
    assert "cpu.top_percent" in second["facts"] and "cpu.busy_percent" in second["facts"]
    kept = HealthHistory(history)
    assert kept.samples("slow.tray_start_s", 0) == [(TODAY, 1.75)]
    assert [day for day, _ in kept.samples("slow.probe_ms", 0)] == [TODAY, TODAY]
    assert "cpu.top_percent" not in kept.counters()  # counters are the sensors', by name
    assert {"cpu", "processes"} <= set(kept.counters())


def test_passes_under_30_seconds_apart_say_nothing_about_cpu(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    _ask(_request(history))
    _, soon, _ = _ask(_request(history, NOW + 10))
    assert "cpu.top_percent" not in soon["facts"] and "cpu.busy_percent" not in soon["facts"]
    _, later, _ = _ask(_request(history, NOW + 40))  # measured from the first pass
    assert "cpu.top_percent" in later["facts"]


def _seed(history: Path, metric: str, values: list[float], per_day: int = 4) -> None:
    """``values`` one per day, the last being today, each stored ``per_day`` times."""
    with HealthHistory(history) as kept:
        for back, value in enumerate(reversed(values)):
            day = TODAY - back
            for n in range(per_day):
                kept.save(day * 86400.0 + 3600 * (n + 8), day, {metric: value}, {})


def test_a_sustained_rise_in_the_history_is_a_slowdown(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    before = [2.0 + 0.05 * (day % 5) for day in range(50)]
    _seed(history, "slow.probe_ms", before + [30.0] * 10)  # far above any real probe
    code, answer, stderr = _ask(_request(history))
    assert code == 0, stderr
    [found] = [s for s in answer["slowdowns"] if s["metric"] == "slow.probe_ms"]
    assert found["baseline"] == pytest.approx(2.1, abs=0.1)
    assert found["recent"] == pytest.approx(30.0)
    assert found["relative"] > 10 and found["days"] >= 1
    assert set(found) == {"metric", "baseline", "recent", "relative", "days", "measures"}
    assert not [s for s in answer["slowdowns"] if s["metric"] == "computer"], "one measure alone"


def test_measures_slower_together_are_the_computer_getting_slower(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    for metric, level in (("slow.probe_ms", 2.0), ("slow.tray_start_s", 1.5)):
        before = [level * (1 + 0.03 * (day % 5)) for day in range(56)]
        _seed(history, metric, before + [level * 1.3] * 8)
    code, answer, stderr = _ask(_request(history))
    assert code == 0, stderr
    [together] = [s for s in answer["slowdowns"] if s["metric"] == "computer"]
    assert together["relative"] == pytest.approx(0.3, abs=0.1)
    assert set(together["measures"]) == {"slow.probe_ms", "slow.tray_start_s"}


def test_a_steady_history_is_no_slowdown(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    _seed(history, "slow.boot_s", [30.0 + (day % 3) for day in range(60)], per_day=1)
    _, answer, _ = _ask(_request(history))
    assert answer["slowdowns"] == []


def test_a_disk_that_fills_up_says_in_how_many_days(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    _seed(history, "disk.free_gb", [500.0 - 20.0 * day for day in range(14)])
    code, answer, _ = _ask(_request(history))
    assert code == 0
    assert answer["facts"]["disk.days_until_full"] > 0  # this computer's free GB, 20 GB a day


def test_a_disk_that_does_not_fill_up_says_nothing(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    _seed(history, "disk.free_gb", [10.0, 12.0, 50.0])  # three days: too few to tell
    _, answer, _ = _ask(_request(history))
    assert "disk.days_until_full" not in answer["facts"]


def test_a_damaged_history_is_moved_aside_and_the_facts_still_answered(tmp_path: Path) -> None:
    history = tmp_path / FILE_NAME
    history.write_bytes(os.urandom(10_000))
    code, answer, stderr = _ask(_request(history))
    assert code == 0, stderr
    assert "moved aside" in answer["history"]
    assert "disk.free_percent" in answer["facts"]
    assert [p for p in tmp_path.iterdir() if "-damaged-" in p.name]
    _, again, _ = _ask(_request(history, NOW + 900))
    assert again["history"] == "ok"


def test_a_history_that_cannot_be_used_still_answers_the_facts(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, answer, _ = _ask(_request(blocker / FILE_NAME))
    assert code == 0
    assert answer["history"].startswith("not used this pass")
    assert "memory.available_percent" in answer["facts"]


@pytest.mark.parametrize(
    "raw",
    [
        "this is not json",
        "[1, 2]",
        json.dumps({"desk_host": "x"}),
        json.dumps({"history": "/tmp/h", "network": "yes"}),
        json.dumps({"history": "/tmp/h", "tray_start_s": "fast"}),
        json.dumps({"history": "/tmp/h", "utc_offset_s": 1.5}),
        json.dumps({"history": "/tmp/h", "facts": [1]}),
        json.dumps({"history": "/tmp/h", "facts": {"desk.unreachable_minutes": "long"}}),
        '{"history": "/tmp/h", "now": NaN}',
    ],
)
def test_a_bad_request_is_an_error_and_exit_status_2(raw: str) -> None:
    code, answer, stderr = _ask(None, raw=raw)
    assert code == 2
    assert set(answer) == {"error"} and answer["error"]
    assert "Traceback" not in stderr


def test_the_helper_says_what_the_rules_in_force_find_with_what_the_tray_knows(
    tmp_path: Path,
) -> None:
    # The tray loads its rules and book only when this says something was found.
    itself = [{"id": "disk-full-soon", "metric": "disk.free_percent", "below": 101,
               "title": "Always"}, {"id": "desk-unreachable", "above": 30}]  # fmt: skip
    code, answer, stderr = _ask(
        _request(tmp_path / FILE_NAME, facts={"desk.unreachable_minutes": 45.0}, rules=itself)
    )
    assert code == 0, stderr
    assert answer["facts"]["desk.unreachable_minutes"] == 45.0
    assert {"disk-full-soon", "desk-unreachable"} <= set(answer["found"])
    # The same facts under the built-in rules: 45 minutes is not yet an hour.
    code, plain, _ = _ask(_request(tmp_path / FILE_NAME, facts={"desk.unreachable_minutes": 45.0}))
    assert code == 0
    assert not {"disk-full-soon", "desk-unreachable"} & set(plain["found"])
    # IT's rule switched off finds nothing, a broken one is left out and the others stay.
    off = [{"id": "desk-unreachable", "enabled": False}, {"id": "x", "metric": "no.such"}]
    code, quiet, _ = _ask(
        _request(tmp_path / FILE_NAME, facts={"desk.unreachable_minutes": 600.0}, rules=off)
    )
    assert code == 0 and "desk-unreachable" not in quiet["found"]


def test_the_tray_asks_through_the_one_shot_helper(tmp_path: Path) -> None:
    assert health_helper_command()[-1] == "--health-helper"
    helper = OneShotHelper(health_helper_command(), timeout=60, what="the health helper")
    answer = helper.ask(_request(tmp_path / FILE_NAME, network=True, desk_host="localhost"))
    assert answer["facts"]["dns.failing"] == 0.0
    assert answer["took_ms"]["network"] > 0


def test_the_helper_does_not_load_qt() -> None:
    code = (
        "import sys, io; from client.entry import main; "
        "sys.stdin = io.StringIO('nonsense'); sys.stdout = io.StringIO(); "
        "rc = main(['--health-helper']); "
        "qt = any(m.startswith('PySide6') for m in sys.modules); "
        "sys.__stdout__.write(f'{rc} {qt}')"
    )
    result = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout == "2 False"


# --- in this process --------------------------------------------------------------------------


def test_the_request_is_checked() -> None:
    request = parse_request(json.dumps({"history": "/x/health.sqlite3", "now": 86400.0 * 3 - 1}))
    assert request.network is False and request.desk_host == "" and request.tray_start_s is None
    late = {"history": "/x", "now": 86400.0 * 3 - 1}  # 23:59:59 UTC on day 2
    assert parse_request(json.dumps({**late, "utc_offset_s": 3600})).day == 3
    assert parse_request(json.dumps({**late, "utc_offset_s": 0})).day == 2


def test_the_fill_rate_is_robust_to_one_days_clean_up() -> None:
    falling = [100.0 - 2.0 * day for day in range(10)]
    falling[5] = 300.0  # a big clean-up one day, filled again after
    assert fill_days(falling) == pytest.approx(82.0 / 2.0)
    assert fill_days(falling, now_free_gb=10.0) == pytest.approx(5.0)
    assert fill_days([100.0, None, 98.0, None, 96.0, 94.0]) is None  # four days: too few
    assert fill_days([50.0, None, 50.0, 51.0, 50.0, 52.0, 53.0]) is None  # not falling


def test_an_unexpected_failure_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(request: object) -> dict[str, Any]:
        raise RuntimeError("bug")

    monkeypatch.setattr(health_helper, "run_pass", broken)
    out = io.StringIO()
    assert health_helper.serve(io.StringIO(json.dumps({"history": "/x"})), out) == 1
    assert json.loads(out.getvalue()) == {"error": "the pass failed: RuntimeError: bug"}


def test_the_helpers_error_is_a_failed_pass_for_the_tray(tmp_path: Path) -> None:
    from client.adapters.health_book import HelperProbe
    from client.adapters.helper_process import HelperProblem

    probe = HelperProbe([sys.executable, "-c", 'print(\'{"error": "the pass failed: bug"}\')'])
    with pytest.raises(HelperProblem, match="the pass failed: bug"):
        probe.measure({"history": str(tmp_path / FILE_NAME)})
