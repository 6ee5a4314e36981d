"""The JSON Schema (draft 2020-12) of the diagnostics snapshot, version 1.

Kept apart from ``client/core/diagnostics.py`` so the running app never
builds it; the tests validate real snapshots against it, and
docs/diagnostics.md describes every field it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from client.core.diagnostics import LOG_LINES, SCHEMA_ID, TOP_PROCESSES, VERSION

_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0}
_TEXT = {"type": "string"}


def _maybe(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"anyOf": [dict(schema), {"type": "null"}]}


def _object(
    required: Mapping[str, Any], optional: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }


def _list(items: Mapping[str, Any], most: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": dict(items)}
    if most is not None:
        schema["maxItems"] = most
    return schema


_PROCESS = _object({"name": _TEXT, "pid": _COUNT, "cpu_percent": _PERCENT, "memory_bytes": _COUNT})

#: The JSON Schema (draft 2020-12) every snapshot validates against.
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://helpdesk-tray.invalid/schemas/diagnostics-{VERSION}.json",
    "title": "helpdesk-tray diagnostics snapshot",
    **_object(
        {
            "schema": {"const": SCHEMA_ID},
            "version": {"const": VERSION},
            "taken_at": {"type": "string", "format": "date-time"},
            "app": _object({"name": _TEXT, "version": _TEXT, "python": _TEXT}),
            "os": _object(
                {"system": _TEXT, "release": _TEXT, "version": _TEXT, "machine": _TEXT},
                {"name": _TEXT},
            ),
            "computer": _object(
                {"vendor": _maybe(_TEXT), "model": _maybe(_TEXT)},
                {"host_name": _TEXT, "user_name": _TEXT},
            ),
            "uptime_s": _maybe(_NUMBER),
            "cpu": _maybe(
                _object(
                    {
                        "cores_logical": _maybe(_COUNT),
                        "cores_physical": _maybe(_COUNT),
                        "load_percent": _maybe(_PERCENT),
                        "load_average": _maybe(_list(_NUMBER, 3)),
                    }
                )
            ),
            "memory": _maybe(
                _object(
                    {
                        "total_bytes": _COUNT,
                        "available_bytes": _COUNT,
                        "used_percent": _PERCENT,
                        "swap_total_bytes": _COUNT,
                        "swap_used_percent": _PERCENT,
                    }
                )
            ),
            "disks": _list(
                _object(
                    {
                        "mount": _TEXT,
                        "filesystem": _TEXT,
                        "total_bytes": _COUNT,
                        "free_bytes": _COUNT,
                        "used_percent": _PERCENT,
                    }
                )
            ),
            "battery": _maybe(
                _object(
                    {
                        "percent": _PERCENT,
                        "plugged_in": _maybe({"type": "boolean"}),
                        "seconds_left": _maybe(_NUMBER),
                    }
                )
            ),
            "network": _object(
                {
                    "interfaces": _list(
                        _object(
                            {
                                "name": _TEXT,
                                "up": {"type": "boolean"},
                                "speed_mbps": _maybe(_COUNT),
                                "addresses": _list(
                                    _object(
                                        {"family": {"enum": ["ipv4", "ipv6"]}, "address": _TEXT}
                                    )
                                ),
                            }
                        )
                    ),
                    "proxy": _maybe(
                        _object({"url": _TEXT, "source": {"enum": ["policy", "system"]}})
                    ),
                    "desk": _object(
                        {
                            "host": _TEXT,
                            "port": _COUNT,
                            "via_proxy": {"type": "boolean"},
                            "dns_ms": _maybe(_NUMBER),
                            "addresses": _list(_TEXT),
                            "tcp_ms": _maybe(_NUMBER),
                            "reachable": {"type": "boolean"},
                            "problem": _maybe(_TEXT),
                        }
                    ),
                }
            ),
            "processes": _maybe(
                _object(
                    {
                        "sampled_ms": _NUMBER,
                        "by_cpu": _list(_PROCESS, TOP_PROCESSES),
                        "by_memory": _list(_PROCESS, TOP_PROCESSES),
                    }
                )
            ),
            "log_tail": _list(_TEXT, LOG_LINES),
            "notes": _list(_object({"item": _TEXT, "problem": _TEXT})),
        }
    ),
}
