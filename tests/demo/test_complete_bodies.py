"""The demo desk ignores a request whose body did not arrive in full (like a buffering proxy)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from demo.tray_api.wsgi import complete_bodies


class Recorder:
    """A WSGI app that remembers the body it was given."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.bodies.append(environ["wsgi.input"].read())
        start_response("201 Created", [])
        return [b"{}"]


def call(app: Any, body: bytes, declared: int) -> tuple[str, bytes]:
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/tray/v1/tickets",
        "CONTENT_LENGTH": str(declared),
        "wsgi.input": io.BytesIO(body),
    }
    response = app(environ, lambda status, headers: statuses.append(status))
    try:
        answer = b"".join(response)
    finally:
        if hasattr(response, "close"):
            response.close()  # as every WSGI server does
    return statuses[0], answer


def test_a_body_shorter_than_announced_never_reaches_the_api() -> None:
    api = Recorder()

    status, answer = call(complete_bodies(api, 10_000_000), b"x" * 1000, declared=2000)

    assert status.startswith("400")
    assert json.loads(answer)["error"] == "incomplete"
    assert api.bodies == []


def test_a_whole_body_reaches_the_api_unchanged_even_when_spooled_to_disk() -> None:
    api = Recorder()
    body = bytes(range(256)) * 8192  # 2 MiB: past the in-memory part

    status, _ = call(complete_bodies(api, 10_000_000), body, declared=len(body))

    assert status.startswith("201")
    assert api.bodies == [body]


def test_a_body_over_the_limit_is_left_to_the_api_to_refuse() -> None:
    api = Recorder()

    call(complete_bodies(api, 100), b"y" * 500, declared=500)

    assert api.bodies == [b"y" * 500]
