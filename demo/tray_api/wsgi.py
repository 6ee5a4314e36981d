"""Hand a request to Django only once its whole body has arrived.

A production desk sits behind a proxy that buffers request bodies (nginx does
by default), so a client that dies half-way through an upload leaves nothing
behind. ``runserver`` streams the body straight into Django, whose multipart
parser takes a body cut short as a shorter form: a ticket without its
attachment. This wrapper buffers bodies (in memory up to 1 MiB, then in a
temporary file) and answers 400 when the client sent less than it announced.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

logger = logging.getLogger("tray_api")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_IN_MEMORY_BYTES = 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def _declared_length(environ: dict[str, Any]) -> int:
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class _ClosingBody:
    """The app's response, closing the buffered request body when the server closes it."""

    def __init__(self, chunks: Iterable[bytes], body: IO[bytes]) -> None:
        self._chunks = chunks
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            self._body.close()


def complete_bodies(app: WsgiApp, max_buffered_bytes: int) -> WsgiApp:
    """Wrap ``app`` so it never sees a body shorter than its Content-Length.

    Bodies larger than ``max_buffered_bytes`` pass through unbuffered: the API
    refuses those with 413 without reading them into a ticket.
    """

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = _declared_length(environ)
        if length == 0 or length > max_buffered_bytes:
            return app(environ, start_response)
        stream = environ["wsgi.input"]
        body = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)
        received = 0
        while received < length:
            chunk = stream.read(min(_CHUNK_BYTES, length - received))
            if not chunk:
                break
            body.write(chunk)
            received += len(chunk)
        if received < length:
            body.close()
            logger.warning(
                "%s %s: body cut short (%d of %d bytes); ignored",
                environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), received, length,
            )  # fmt: skip
            payload = json.dumps(
                {"error": "incomplete", "detail": "The request body did not arrive in full."}
            ).encode()
            start_response(
                "400 Bad Request",
                [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        body.seek(0)
        environ["wsgi.input"] = body
        return _ClosingBody(app(environ, start_response), body)

    return application
