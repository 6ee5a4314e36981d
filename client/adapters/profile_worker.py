"""The profile helper process's side: one verified update, then it leaves.

Started as ``helpdesk-tray --profile-helper`` (see
:mod:`client.adapters.profile_helper`). Signature checking loads
``cryptography``, a native module no process can unload: it lives here for
the seconds an update takes, never in the tray. Request (JSON on stdin):
``url``, ``root_file`` (the trusted root IT installed), ``cache_dir``,
``photos`` and ``http`` (``HttpConfig``'s fields: the policy's limits and proxy).
Answer (JSON on stdout):
``{"ok": true, "refusal": null | {"code", "detail", "role"}, "missing": [...],
"verified_at": ...}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    from client.adapters.http import HttpConfig
    from client.adapters.profile_update import refresh_profile
    from client.core.fixes import platform_of
    from client.core.profile import parse_profile, profile_files

    root_file = Path(str(request["root_file"]))
    try:
        trusted_root = root_file.read_bytes()
    except OSError as error:
        refusal = {"code": "no_trust", "detail": f"{root_file}: {error.strerror}", "role": "root"}
        return {"ok": True, "refusal": refusal, "missing": [], "verified_at": None}
    photos = request.get("photos") is not False
    limits = request.get("http")
    known = {f.name for f in dataclasses.fields(HttpConfig)}
    config = HttpConfig(
        **{k: v for k, v in (limits if isinstance(limits, dict) else {}).items() if k in known}
    )
    result = refresh_profile(
        str(request["url"]),
        trusted_root,
        Path(str(request["cache_dir"])),
        config,
        time.time,
        # This computer's fix scripts only; IT's ``admin verify`` fetches every platform's.
        lambda document: profile_files(
            parse_profile(document, photos=photos), platform_of(sys.platform)
        ),
    )
    if result.refusal is None and result.profile is not None:
        _prepare_avatars(result.profile, photos)
    refused = result.refusal
    return {
        "ok": True,
        "refusal": None if refused is None else vars(refused),
        "missing": list(result.missing),
        "verified_at": result.profile.verified_at if result.profile else None,
    }


#: The side of the square an agent's photo is kept in (the card shows it at up to 80 px, 2x).
AVATAR_SIDE = 160


def _prepare_avatars(copy: Any, photos: bool) -> None:
    """Decode each agent's verified photo here, within limits, into a small square PNG.

    The tray then shows only PNGs this helper made; a photo that does not
    decode is left out (the card shows initials) with a log line naming it.
    """
    import io
    import logging

    from client.adapters.photos import decode_photo
    from client.adapters.profile_store import save_avatars
    from client.core.errors import BadResponse
    from client.core.profile import parse_profile

    avatars: dict[str, bytes] = {}
    profile = parse_profile(copy.document, photos=photos)
    for agent in profile.agents.values():
        data = copy.read(agent.photo) if agent.photo else None
        if data is None:
            continue
        try:
            picture = decode_photo(data, AVATAR_SIDE)
        except BadResponse as error:
            logging.getLogger(__name__).warning("photo of %s left out: %s", agent.id, error.detail)
            continue
        from PIL import Image

        out = io.BytesIO()
        Image.frombytes("RGBA", (picture.width, picture.height), picture.rgba).save(out, "PNG")
        avatars[agent.id] = out.getvalue()
    save_avatars(copy.folder, avatars)


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
