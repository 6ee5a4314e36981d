"""The profile helper process's side: one verified update, then it leaves.

Started as ``helpdesk-tray --profile-helper`` (see
:mod:`client.adapters.profile_helper`). Signature checking loads
``cryptography``, a native module no process can unload: it lives here for
the seconds an update takes, never in the tray. Request (JSON on stdin):
``url``, ``root_file`` (the trusted root IT installed), ``cache_dir``,
``photos``, ``proxy`` and the HTTP time limits. Answer (JSON on stdout):
``{"ok": true, "refusal": null | {"code", "detail", "role"}, "missing": [...],
"verified_at": ...}``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TextIO


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    from client.adapters.http import HttpConfig
    from client.adapters.profile_update import refresh_profile
    from client.core.profile import parse_profile, profile_files

    root_file = Path(str(request["root_file"]))
    try:
        trusted_root = root_file.read_bytes()
    except OSError as error:
        refusal = {"code": "no_trust", "detail": f"{root_file}: {error.strerror}", "role": "root"}
        return {"ok": True, "refusal": refusal, "missing": [], "verified_at": None}
    photos = request.get("photos") is not False
    config = HttpConfig(
        connect_timeout=float(request.get("connect_timeout", 5.0)),
        read_timeout=float(request.get("read_timeout", 30.0)),
        total_timeout=float(request.get("total_timeout", 120.0)),
        proxy=str(request.get("proxy", "")),
    )
    result = refresh_profile(
        str(request["url"]),
        trusted_root,
        Path(str(request["cache_dir"])),
        config,
        time.time,
        lambda document: profile_files(parse_profile(document, photos=photos)),
    )
    refused = result.refusal
    return {
        "ok": True,
        "refusal": None if refused is None else vars(refused),
        "missing": list(result.missing),
        "verified_at": result.profile.verified_at if result.profile else None,
    }


def serve(stdin: TextIO, stdout: TextIO) -> int:
    """Answer the one request on ``stdin``."""
    try:
        request = json.loads(stdin.read())
        if not isinstance(request, dict):
            raise TypeError("not an object")
        answer = _answer(request)
    except (ValueError, KeyError, TypeError) as error:
        answer = {"ok": False, "error": f"bad request: {type(error).__name__}: {error}"}
    stdout.write(json.dumps(answer))
    stdout.flush()
    return 0
