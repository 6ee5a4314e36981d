"""The evidence helper process's side: answers the tray's requests until its pipe ends.

Started as ``helpdesk-tray --evidence-helper OPTIONS`` (see
:mod:`client.adapters.evidence_helper` for why, and for the protocol). It
loads psutil for the first snapshot and Pillow for the first screenshot, and
never Qt. Requests:

- ``sample``: start measuring CPU use; answer ``{"sample": ...}``, to be sent back with
- ``local`` (``sample``, ``desk_url``, ``policy_proxy``, ``secrets``): the local part of
  the snapshot, ``{"document": ...}``, redacted with ``secrets`` before names are masked;
- ``encode`` (``width``, ``height``, ``stride``, ``stem``; the pixels as payload): the
  screenshot file, ``{"name": ..., "mime": ...}`` with its bytes as payload.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from client.adapters.evidence_helper import BadMessage, answer_requests


class _Worker:
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._encoder: Any = None

    def _system(self, request: dict[str, Any]) -> Any:
        """The snapshot's source for this request: its desk, proxy and secrets."""
        from client.adapters.sysinfo import SnapshotOptions, SystemInfo
        from client.core.redact import Redactor

        log_file = self._options.get("log_file")
        options = SnapshotOptions(
            app_version=str(self._options.get("app_version", "")),
            log_file=Path(log_file) if isinstance(log_file, str) and log_file else None,
            include_host_name=self._options.get("include_host_name") is True,
            include_user_name=self._options.get("include_user_name") is True,
        )
        secrets = request.get("secrets")
        desk_url, proxy = request.get("desk_url"), request.get("policy_proxy")
        return SystemInfo(
            options,
            Redactor(s for s in secrets if isinstance(s, str))
            if isinstance(secrets, list)
            else Redactor(),
            desk_url=lambda: desk_url if isinstance(desk_url, str) else "",
            policy_proxy=proxy if isinstance(proxy, str) else "",
        )

    def handle(self, request: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        op = request.get("op")
        if op == "sample":
            return {"sample": self._system(request).sample().as_json()}, b""
        if op == "local":
            from client.adapters.sysinfo import ProcessSample

            since = ProcessSample.from_json(request.get("sample"))
            return {"document": self._system(request).local(since)}, b""
        if op == "encode":
            return self._encode(request, payload)
        raise BadMessage(f"unknown operation {op!r}")

    def _encode(self, request: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        width, height, stride = (request.get(k) for k in ("width", "height", "stride"))
        if not all(type(v) is int and v > 0 for v in (width, height, stride)):
            raise BadMessage("encode: width, height and stride must be positive integers")
        assert isinstance(width, int) and isinstance(height, int) and isinstance(stride, int)
        if stride < 3 * width or len(payload) < stride * (height - 1) + 3 * width:
            raise BadMessage("encode: fewer pixels than the size says")
        if self._encoder is None:
            from client.adapters.imaging import PillowEncoder

            self._encoder = PillowEncoder()
        stem = str(request.get("stem") or "screenshot")[:100]
        image = self._encoder.encode(width, height, stride, payload, stem)
        return {"name": image.filename, "mime": image.content_type}, image.data


def serve(source: IO[bytes], out: IO[bytes], options_json: str) -> int:
    """Answer requests from ``source`` on ``out`` until ``source`` ends; the exit status."""
    try:
        options = json.loads(options_json)
    except ValueError:
        options = None
    worker = _Worker(options if isinstance(options, dict) else {})
    return answer_requests(source, out, worker.handle)
