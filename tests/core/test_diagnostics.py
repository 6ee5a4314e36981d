"""The diagnostics schema and what an agent reads first."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from client.core.diagnostics import (
    LONG_UPTIME_DAYS,
    Fact,
    ProbeTarget,
    assemble,
    desk_timed_out,
    desk_unknown,
    facts,
    to_json,
)
from client.core.diagnostics_schema import SCHEMA

DOCS = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "disks": [
            {
                "mount": "/",
                "filesystem": "ext4",
                "total_bytes": 100,
                "free_bytes": 40,
                "used_percent": 60.0,
            },
            {
                "mount": "/home",
                "filesystem": "ext4",
                "total_bytes": 1000,
                "free_bytes": 30,
                "used_percent": 97.0,
            },
        ],  # fmt: skip
        "memory": {
            "total_bytes": 8,
            "available_bytes": 1,
            "used_percent": 91.6,
            "swap_total_bytes": 0,
            "swap_used_percent": 0.0,
        },  # fmt: skip
        "cpu": {
            "cores_logical": 4,
            "cores_physical": 2,
            "load_percent": 12.0,
            "load_average": None,
        },  # fmt: skip
        "battery": None,
        "uptime_s": 3600.0,
        "network": {
            "desk": {
                **desk_unknown("desk.example.org", 443, False, ""),
                "reachable": True,
                "tcp_ms": 40.4,
                "problem": None,
            }
        },  # fmt: skip
    }
    document.update(changes)
    return document


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_agent_reads_the_fullest_disk_the_memory_and_the_desk_first() -> None:
    assert facts(_document()) == [
        Fact("disk_free", {"mount": "/home", "percent": 3}),
        Fact("memory_used", {"percent": 92}),
        Fact("desk_reachable", {"ms": 40}),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cpu": {"load_percent": 97.0}}, Fact("cpu_busy", {"percent": 97})),
        ({"memory": {"used_percent": 95.0, "swap_total_bytes": 8, "swap_used_percent": 62.5}},
         Fact("swap_used", {"percent": 62})),
        ({"battery": {"percent": 12.0, "plugged_in": False, "seconds_left": None}},
         Fact("battery_low", {"percent": 12})),
        ({"uptime_s": LONG_UPTIME_DAYS * 86400 + 5}, Fact("uptime_days", {"days": 7})),
        ({"network": {"desk": desk_unknown("desk.example.org", 443, True, "refused")}},
         Fact("desk_unreachable", {"problem": "refused"})),
    ],
)  # fmt: skip
def test_what_is_unusual_is_mentioned(changes: dict[str, Any], expected: Fact) -> None:
    assert expected in facts(_document(**changes))


def test_what_is_usual_is_not() -> None:
    codes = {f.code for f in facts(_document())}
    assert not codes & {"cpu_busy", "battery_low", "uptime_days", "swap_used"}


@pytest.mark.parametrize(
    ("changes", "left_out"),
    [
        ({"disks": []}, "disk_free"),
        ({"disks": [{"mount": "/", "total_bytes": 0, "free_bytes": 0}]}, "disk_free"),
        ({"memory": None}, "memory_used"),
        ({"cpu": None}, "cpu_busy"),
        ({"network": {}}, "desk_reachable"),
    ],
)
def test_what_the_computer_could_not_tell_is_left_out(
    changes: dict[str, Any], left_out: str
) -> None:
    codes = [f.code for f in facts(_document(**changes))]
    assert left_out not in codes
    assert codes, "the rest is still there"


def test_a_snapshot_without_a_desk_says_nothing_about_one() -> None:
    document = _document(network={"desk": desk_unknown("", 80, False, "no_desk")})
    assert all(not f.code.startswith("desk_") for f in facts(document))


def test_the_desk_check_joins_the_computers_own_part() -> None:
    local = {"network": {"interfaces": [], "proxy": None}, "notes": []}
    desk = desk_unknown("desk.example.org", 443, False, "timeout")
    document = assemble(local, desk)
    assert document["network"] == {"interfaces": [], "proxy": None, "desk": desk}
    assert "desk" not in local["network"], "the parts are not changed"


def test_the_file_for_the_agent_is_utf8_json_that_reads_back_the_same() -> None:
    document = _document(notes=["Prüfung: café ☕"])
    data = to_json(document)
    assert "café ☕".encode() in data, "readable, not escaped"
    assert json.loads(data.decode("utf-8")) == document


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (ProbeTarget("proxy.example.org", 3128, True), ("proxy.example.org", 3128, True)),
        (None, ("", 0, False)),  # not even where to connect was known in time
    ],
)
def test_a_desk_check_past_its_cap_is_told_from_what_was_found_before(
    target: ProbeTarget | None, expected: tuple[str, int, bool]
) -> None:
    desk = desk_timed_out(target, 2.0)
    assert (desk["host"], desk["port"], desk["via_proxy"]) == expected
    assert (desk["reachable"], desk["problem"]) == (False, "timeout: no answer within 2 s")
    jsonschema.validate(desk, SCHEMA["properties"]["network"]["properties"]["desk"])


def _properties(schema: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for option in schema.get("anyOf", [schema]):
        for name, sub in option.get("properties", {}).items():
            path = f"{prefix}{name}"
            found.append(path)
            found += _properties(sub, path + ".")
            if sub.get("type") == "array" or "items" in sub:
                found += _properties(sub.get("items", {}), path + "[].")
            for alternative in sub.get("anyOf", []):
                if "items" in alternative:
                    found += _properties(alternative["items"], path + "[].")
    return found


def test_every_field_is_documented_for_it_staff() -> None:
    documented = set(re.findall(r"`([a-z_\[\].]+)`", DOCS.read_text(encoding="utf-8")))
    missing = [path for path in _properties(SCHEMA) if path not in documented]
    assert missing == [], "document these in docs/diagnostics.md"
