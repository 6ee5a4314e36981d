"""The health pass's sensors, in this process: each on its own, a failing one left out."""

from __future__ import annotations

import logging
import os
import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
import pytest

from client.adapters import health_probe as hp
from client.adapters.health_probe import Found, Situation, Unavailable, measure

NOW = 1_780_000_000.0


def _fixed(facts: dict[str, float], counters: Any = None) -> Callable[[Situation], Found]:
    return lambda situation: Found(dict(facts), counters=counters)


def _failing(error: Exception) -> Callable[[Situation], Found]:
    def sensor(situation: Situation) -> Found:
        raise error

    return sensor


def _measure(sensors: list[hp.Sensor], previous: dict[str, Any] | None = None) -> hp.Measured:
    return measure(previous or {}, desk_host="", now=NOW, network=False, sensors=sensors)


# --- the pass ---------------------------------------------------------------------------------


def test_a_failing_sensor_is_left_out_and_the_others_still_measure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sensors: list[hp.Sensor] = [
        ("disk", _fixed({"disk.free_percent": 40.0})),
        ("pressure", _failing(FileNotFoundError(2, "No such file", "/proc/pressure/memory"))),
        ("memory", _failing(ValueError("odd value"))),
        ("uptime", _fixed({"uptime.days": 3.0})),
    ]
    with caplog.at_level(logging.INFO, logger="client.adapters.health_probe"):
        measured = _measure(sensors)
    assert measured.facts == {"disk.free_percent": 40.0, "uptime.days": 3.0}
    assert measured.skipped == [
        "pressure: FileNotFoundError: [Errno 2] No such file: '/proc/pressure/memory'",
        "memory: ValueError: odd value",
    ]
    assert "pressure left out" in caplog.text
    assert set(measured.timings) == {"disk", "pressure", "memory", "uptime"}


def test_a_failing_sensor_keeps_its_counters_and_unavailable_hands_over_new_ones() -> None:
    previous = {"cpu": {"at": 1.0}, "boot": {"boot_id": "a", "attempts": 1}}
    sensors: list[hp.Sensor] = [
        ("cpu", _failing(OSError("access denied"))),
        ("boot", _failing(Unavailable("no systemd", {"boot_id": "a", "attempts": 2}))),
        ("probe", _fixed({"slow.probe_ms": 2.0}, counters={"kept": True})),
    ]
    measured = _measure(sensors, previous)
    assert {k: v for k, v in measured.counters.items() if k != hp.BUDGET_COUNTER} == {
        "cpu": {"at": 1.0},
        "boot": {"boot_id": "a", "attempts": 2},
        "probe": {"kept": True},
    }
    assert measured.skipped == ["cpu: OSError: access denied", "boot: no systemd"]


def test_values_that_are_not_numbers_are_never_facts() -> None:
    sensors: list[hp.Sensor] = [
        ("odd", _fixed({"a": float("nan"), "b": float("inf"), "c": 1.23456})),
    ]
    measured = _measure(sensors)
    assert measured.facts == {"c": 1.235}
    assert measured.skipped == ["odd: a not a number", "odd: b not a number"]


def test_the_home_folder_is_masked_in_reasons() -> None:
    home = str(Path.home())
    sensors: list[hp.Sensor] = [("probe", _failing(PermissionError(f"{home}/.cache: denied")))]
    assert _measure(sensors).skipped == ["probe: PermissionError: ~/.cache: denied"]


def test_the_real_pass_measures_on_this_computer(tmp_path: Path) -> None:
    first = measure({}, desk_host="", now=time.time(), network=False, scratch=tmp_path)
    for metric in ("disk.free_percent", "disk.free_gb", "memory.available_percent"):
        assert metric in first.facts
    assert first.details["disk.free_percent"] in {"/", "~"}
    assert "cpu.top_percent" not in first.facts and "cpu.busy_percent" not in first.facts
    assert first.took_network_ms == 0.0 and "dns.failing" not in first.facts
    second = measure(
        first.counters, desk_host="", now=time.time() + 60, network=False, scratch=tmp_path
    )
    assert "cpu.top_percent" in second.facts and "cpu.busy_percent" in second.facts
    assert 0.0 <= second.facts["cpu.busy_percent"] <= 100.0
    assert list(tmp_path.iterdir()) == []  # the probe's file is gone
    # The budget is 50 ms (bench/health_pass.py measures it); this only catches a blunder.
    took = [
        measure(second.counters, desk_host="", now=time.time(), network=False).took_checks_ms
        for _ in range(5)
    ]
    assert statistics.median(took) < 500


# --- each sensor ------------------------------------------------------------------------------


def _situation(tmp_path: Path, previous: Any = None, now: float = NOW) -> Situation:
    return Situation(now, previous, tmp_path)


def test_disk_names_the_fuller_volume(tmp_path: Path) -> None:
    found = hp.disk(_situation(tmp_path))
    assert 0 <= found.facts["disk.free_percent"] <= 100
    assert found.facts["disk.free_gb"] >= 0
    assert found.details["disk.free_percent"] in {"/", "~"}


PSI = (
    "some avg10=0.00 avg60=0.00 avg300=0.00 total={}\n"
    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
)


def test_memory_pressure_is_the_share_of_time_since_the_previous_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    psi = tmp_path / "memory"
    monkeypatch.setattr(hp, "PRESSURE_FILE", psi)
    psi.write_text(PSI.format(5_000_000))
    first = hp.pressure(_situation(tmp_path))
    assert first.facts == {} and first.counters == {"at": NOW, "total_us": 5_000_000}
    psi.write_text(PSI.format(14_000_000))  # 9 s stalled in 900 s
    second = hp.pressure(_situation(tmp_path, first.counters, NOW + 900))
    assert second.facts == {"memory.pressure_percent": pytest.approx(1.0)}
    psi.write_text(PSI.format(1_000))  # rebooted: the counter went back
    third = hp.pressure(_situation(tmp_path, second.counters, NOW + 1800))
    assert third.facts == {} and third.counters["total_us"] == 1_000


def test_without_pressure_stall_information_the_sensor_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hp, "PRESSURE_FILE", tmp_path / "absent")
    measured = _measure([("pressure", hp.pressure), ("uptime", _fixed({"uptime.days": 1.0}))])
    assert measured.facts == {"uptime.days": 1.0}
    assert measured.skipped[0].startswith("pressure: FileNotFoundError")


def _process(pid: int, created: float, seconds: float) -> SimpleNamespace:
    return SimpleNamespace(
        pid=pid,
        info={"cpu_times": SimpleNamespace(user=seconds, system=0.0), "create_time": created},
    )


def test_the_busiest_process_is_found_from_the_change_since_the_previous_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table: list[SimpleNamespace] = []
    monkeypatch.setattr(psutil, "process_iter", lambda attrs: list(table))
    monkeypatch.setattr(hp, "_process_name", lambda pid: f"name-{pid}")
    me, parent = os.getpid(), os.getppid()
    table[:] = [
        _process(100, 1000.0, 50.0),  # busy before, idle since
        _process(200, 1000.0, 1.0),
        _process(300, 1000.0, 5.0),  # will be replaced by another process with the same pid
        _process(me, 1000.0, 0.0),
        _process(parent, 1000.0, 0.0),
    ]
    first = hp.processes(_situation(tmp_path))
    assert first.facts == {} and first.counters["at"] == NOW
    table[:] = [
        _process(100, 1000.0, 50.0),
        _process(200, 1000.0, 31.0),  # 30 s of CPU in 60 s: 50 % of a core
        _process(300, NOW + 10, 20.0),  # new since (same pid): all 20 s count
        _process(me, 1000.0, 500.0),  # this helper and the tray never count
        _process(parent, 1000.0, 500.0),
    ]
    too_soon = hp.processes(_situation(tmp_path, first.counters, NOW + 10))
    assert too_soon.facts == {} and too_soon.counters is first.counters  # the older start kept
    found = hp.processes(_situation(tmp_path, too_soon.counters, NOW + 60))
    assert found.facts == {"cpu.top_percent": pytest.approx(50.0)}
    assert found.details == {"cpu.top_percent": "name-200"}
    table[:] = [_process(300, NOW + 10, 200.0)]  # 180 s in 60 s: three cores
    again = hp.processes(_situation(tmp_path, found.counters, NOW + 120))
    assert again.facts == {"cpu.top_percent": pytest.approx(300.0)}


def test_whole_computer_cpu_is_busy_time_over_all_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    times = {"user": 100.0, "system": 50.0, "idle": 800.0, "iowait": 50.0}

    class _Times:
        def _asdict(self) -> dict[str, float]:
            return dict(times)

    monkeypatch.setattr(psutil, "cpu_times", lambda: _Times())
    first = hp.cpu(_situation(tmp_path))
    assert first.facts == {}
    times.update(user=130.0, system=60.0, idle=850.0, iowait=60.0)  # 40 busy of 100
    second = hp.cpu(_situation(tmp_path, first.counters, NOW + 100))
    assert second.facts == {"cpu.busy_percent": pytest.approx(40.0)}
    times.update(user=1.0, system=1.0, idle=1.0, iowait=0.0)  # rebooted
    assert hp.cpu(_situation(tmp_path, second.counters, NOW + 200)).facts == {}


def _battery(root: Path, name: str, files: dict[str, str]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    for file, text in files.items():
        (folder / file).write_text(text + "\n")


def test_battery_health_is_full_over_design_capacity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hp, "POWER_SUPPLY", str(tmp_path))
    _battery(tmp_path, "AC", {"online": "1"})
    assert hp.battery(_situation(tmp_path)).facts == {}  # no battery: nothing, and no error
    _battery(tmp_path, "BAT0", {"energy_full": "40000000", "energy_full_design": "50000000"})
    assert hp.battery(_situation(tmp_path)).facts == {"battery.health_percent": 80.0}
    _battery(tmp_path, "BAT1", {"charge_full": "3000000", "charge_full_design": "5000000"})
    assert hp.battery(_situation(tmp_path)).facts == {
        "battery.health_percent": pytest.approx(43e6 / 55e6 * 100)
    }


def test_a_battery_without_a_design_capacity_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hp, "POWER_SUPPLY", str(tmp_path))
    _battery(tmp_path, "BAT0", {"energy_full": "40000000"})
    measured = _measure([("battery", hp.battery)])
    assert measured.facts == {} and measured.skipped[0].startswith("battery: FileNotFoundError")


def test_no_battery_leaves_no_skipped_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hp, "POWER_SUPPLY", str(tmp_path / "none"))
    measured = _measure([("battery", hp.battery)])
    assert measured.facts == {} and measured.skipped == []


def test_crash_reports_of_the_last_week_are_counted(tmp_path: Path) -> None:
    crash, cores = tmp_path / "crash", tmp_path / "coredump"
    crash.mkdir()
    cores.mkdir()
    for folder, name, age_days in [
        (crash, "_usr_bin_app.1000.crash", 1),
        (crash, "_usr_bin_old.1000.crash", 9),
        (crash, "_usr_bin_app.1000.upload", 1),  # not a report
        (cores, "core.app.1000.abc.42.1780000000000000.zst", 2),
        (cores, "core.app.1000.abc.43.1779000000000000.zst", 20),
    ]:
        path = folder / name
        path.write_bytes(b"x")
        os.utime(path, (NOW - age_days * 86400, NOW - age_days * 86400))
    folders = [(crash, "*.crash"), (cores, "*"), (tmp_path / "absent", "*")]
    found = hp.crashes(_situation(tmp_path), folders)
    assert found.facts == {"crashes.week": 2.0}


def test_crash_reports_that_cannot_be_read_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hp, "crash_folders", lambda: [(tmp_path, "*.crash")])

    def denied(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    with monkeypatch.context() as patched:
        patched.setattr(os, "scandir", denied)
        measured = _measure([("crashes", hp.crashes)])
    assert measured.facts == {}
    assert measured.skipped[0].startswith("crashes: PermissionError")
    monkeypatch.setattr(hp, "crash_folders", lambda: [(tmp_path / "absent", "*.crash")])
    assert _measure([("crashes", hp.crashes)]).skipped == ["crashes: no crash report folder"]


def test_the_responsiveness_probe_is_timed_and_leaves_nothing_behind(tmp_path: Path) -> None:
    scratch = tmp_path / "data"
    found = hp.probe(_situation(scratch))
    assert 0 < found.facts["slow.probe_ms"] < 2000
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (
            "Startup finished in 2.345s (kernel) + 10.120s (userspace) = 12.465s\n"
            "graphical.target reached after 10.100s in userspace\n",
            12.465,
        ),
        (
            "Startup finished in 4.1s (firmware) + 2.9s (loader) + 1.5s (kernel) + "
            "55.3s (userspace) = 1min 3.800s\n",
            63.8,
        ),
        ("Startup finished in 300ms (kernel) + 500ms (userspace) = 800ms\n", 0.8),
        ("Startup finished in 1h 2min 3.5s (userspace) = 1h 2min 3.5s\n", 3723.5),
    ],
)
def test_boot_durations_are_read_from_systemd_analyze(text: str, seconds: float) -> None:
    assert hp.parse_boot_time(text) == pytest.approx(seconds)


def test_boot_time_without_a_finished_line_is_an_error() -> None:
    with pytest.raises(ValueError):
        hp.parse_boot_time("Bootup is not yet finished.\n")


@pytest.mark.skipif(not os.path.exists("/proc/sys/kernel/random/boot_id"), reason="Linux only")
def test_the_boot_is_timed_once_per_boot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    boot_id = tmp_path / "boot_id"
    boot_id.write_text("first\n")
    monkeypatch.setattr(hp, "BOOT_ID_FILE", boot_id)
    runs: list[int] = []

    def analyze() -> str:
        runs.append(1)
        return "Startup finished in 1.0s (kernel) + 20.0s (userspace) = 21.0s\n"

    first = hp.boot(_situation(tmp_path), analyze)
    assert first.facts == {"slow.boot_s": 21.0} and len(runs) == 1
    second = hp.boot(_situation(tmp_path, first.counters), analyze)
    assert second.facts == {} and second.counters == first.counters and len(runs) == 1
    boot_id.write_text("second\n")
    third = hp.boot(_situation(tmp_path, second.counters), analyze)
    assert third.facts == {"slow.boot_s": 21.0} and len(runs) == 2


@pytest.mark.skipif(not os.path.exists("/proc/sys/kernel/random/boot_id"), reason="Linux only")
def test_a_boot_time_the_os_cannot_give_is_tried_a_few_times_then_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boot_id = tmp_path / "boot_id"
    boot_id.write_text("container\n")
    monkeypatch.setattr(hp, "BOOT_ID_FILE", boot_id)
    runs: list[int] = []

    def analyze() -> str:
        runs.append(1)
        raise Unavailable("systemd-analyze: System has not been booted with systemd")

    previous: dict[str, Any] = {}
    for _ in range(5):
        measured = _measure([("boot", lambda s: hp.boot(s, analyze))], previous)
        previous = measured.counters
        assert measured.facts == {}
        assert measured.skipped == [
            "boot: systemd-analyze: System has not been booted with systemd"
        ]
    assert len(runs) == hp.BOOT_ATTEMPTS


# --- the network part -------------------------------------------------------------------------


def test_the_desk_name_is_resolved_apart_from_the_checks() -> None:
    asked: list[str] = []

    def resolve(host: str, port: object) -> list[object]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", 0))]

    sensors: list[hp.Sensor] = [("uptime", _fixed({"uptime.days": 1.0}))]
    measured = measure(
        {}, desk_host="https://desk.example.org/", now=NOW, network=True, sensors=sensors,
        resolve=resolve, routed=lambda: True,
    )  # fmt: skip
    assert asked == ["desk.example.org"]
    assert measured.facts["dns.failing"] == 0.0 and measured.took_network_ms > 0
    offline = measure(
        {}, desk_host="desk.example.org", now=NOW, network=False, sensors=sensors, resolve=resolve
    )
    assert "dns.failing" not in offline.facts and offline.took_network_ms == 0.0
    assert len(asked) == 1


def test_a_failing_or_slow_name_lookup_counts_as_failing() -> None:
    def unknown(host: str, port: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def slow(host: str, port: object) -> list[object]:
        time.sleep(1.0)
        return [("address",)]

    assert hp.dns_failing("desk.example.org", resolve=unknown) is True
    started = time.perf_counter()
    assert hp.dns_failing("desk.example.org", resolve=slow, limit_s=0.1) is True
    assert time.perf_counter() - started < 0.9


class _Clock:
    """A ``perf_counter`` that a sensor moves on by its cost."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _costing(clock: _Clock, ms: float) -> Callable[[Situation], Found]:
    def sensor(situation: Situation) -> Found:
        clock.now += ms / 1000.0
        return Found({"slow.probe_ms": ms})

    return sensor


def test_a_sensor_over_its_cost_budget_three_passes_in_a_row_rests_for_a_day(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, now = _Clock(), 1_000_000.0
    counters: dict[str, Any] = {}
    cheap, dear = _costing(clock, 1.0), _costing(clock, hp.BUDGET_MS["probe"] + 50)
    for n in range(3):
        measured = measure(counters, desk_host="", now=now + n * 900, network=False,
                           sensors=[("probe", dear), ("disk", cheap)], timer=clock)  # fmt: skip
        assert "slow.probe_ms" in measured.facts, "it still counts while it is being watched"
        counters = measured.counters
    assert "probe took 80 ms, over its 30 ms budget" in caplog.text
    assert "probe rests for a day" in caplog.text
    resting = measure(counters, desk_host="", now=now + 3 * 900, network=False,
                      sensors=[("probe", dear), ("disk", cheap)], timer=clock)  # fmt: skip
    assert resting.skipped == ["probe: resting until tomorrow, over its cost budget"]
    assert "probe" not in resting.timings and "disk" in resting.timings
    back = measure(resting.counters, desk_host="", now=now + 2 * 900 + hp.REST_S, network=False,
                   sensors=[("probe", cheap)], timer=clock)  # fmt: skip
    assert back.skipped == [] and back.counters[hp.BUDGET_COUNTER]["probe"]["over"] == 0


def test_one_pass_over_budget_then_one_within_starts_the_count_again() -> None:
    clock, now = _Clock(), 1_000_000.0
    dear, cheap = _costing(clock, 100.0), _costing(clock, 1.0)
    counters: dict[str, object] = {}
    for sensor in (dear, dear, cheap, dear, dear):
        counters = measure(counters, desk_host="", now=now, network=False,
                           sensors=[("probe", sensor)], timer=clock).counters  # fmt: skip
    assert counters[hp.BUDGET_COUNTER] == {"probe": {"over": 2, "rest_until": 0.0}}


@pytest.mark.parametrize(
    "kept",
    [None, "x", {"probe": "x"}, {"probe": {"over": "2", "rest_until": 0}},
     {"probe": {"over": 1, "rest_until": float("nan")}}],
)  # fmt: skip
def test_a_damaged_budget_counter_starts_afresh(kept: object) -> None:
    clock = _Clock()
    measured = measure({hp.BUDGET_COUNTER: kept}, desk_host="", now=1.0, network=False,
                       sensors=[("probe", _costing(clock, 1.0))], timer=clock)  # fmt: skip
    assert measured.skipped == []
    assert measured.counters[hp.BUDGET_COUNTER] == {"probe": {"over": 0, "rest_until": 0.0}}


V4_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
V4_DEFAULT = "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
V4_LOCAL = "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
V6_DEFAULT = (
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n"
)
V6_LOOPBACK = (
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
)


@pytest.mark.parametrize(
    ("v4", "v6", "routed"),
    [
        (V4_HEADER + V4_DEFAULT, "", True),
        (V4_HEADER + V4_LOCAL, V6_DEFAULT, True),  # IPv6 only
        (V4_HEADER + V4_LOCAL, V6_LOOPBACK, False),  # a LAN cable to nowhere, loopback only
        (V4_HEADER, "", False),  # on a train
    ],
)  # fmt: skip
def test_a_default_route_tells_online_from_offline(
    tmp_path: Path, v4: str, v6: str, routed: bool
) -> None:
    (tmp_path / "route").write_text(v4)
    (tmp_path / "ipv6_route").write_text(v6)
    assert hp.has_default_route((tmp_path / "route", tmp_path / "ipv6_route")) is routed


def test_unknown_routes_count_as_online(tmp_path: Path) -> None:
    assert hp.has_default_route((tmp_path / "none", tmp_path / "none6")) is True


def test_offline_the_desks_name_is_not_looked_up_and_dns_is_not_measured() -> None:
    def resolve(*args: object) -> object:
        raise AssertionError("no lookup offline")

    measured = measure({}, desk_host="desk.example.org", now=NOW, network=True, sensors=[],
                       resolve=resolve, routed=lambda: False)  # fmt: skip
    assert "dns.failing" not in measured.facts
    assert measured.skipped == ["dns: no network route"]
