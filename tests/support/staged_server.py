"""A local HTTP(S) server that answers each path the way a test staged it.

For replies a real desk would rarely give on demand: HTML error pages,
malformed or huge bodies, truncated bodies, endless waits, redirect loops,
headers dripped a byte at a time, garbage instead of a status line, and a
desk that hangs up on an idle connection. It counts the connections it accepts.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What one path answers."""

    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    #: Each sent as its own ``Set-Cookie`` header.
    cookies: tuple[str, ...] = ()
    #: The server's clock in the ``Date`` header, POSIX seconds (``None``: now).
    date: float | None = None
    #: Lie about the length (a body cut short by the network).
    declared_length: int | None = None
    #: Send the body in chunks without any Content-Length.
    chunked: bool = False
    #: Wait for this event before answering (a desk that hangs).
    hold: threading.Event | None = None
    #: Send the body a byte at a time, this many seconds apart (a slow drip).
    drip: float = 0.0
    #: Send the status line and headers a byte at a time, this many seconds apart.
    drip_headers: float = 0.0
    #: Send exactly these bytes instead of a well-formed answer, then hang up.
    raw: bytes | None = None
    #: Hang up right after answering, without saying so (a desk closing an idle
    #: keep-alive connection: the client's end is left in CLOSE-WAIT).
    hang_up: bool = False
    #: Set when the request has arrived (before any ``hold``).
    arrived: threading.Event | None = None


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class StagedServer:
    """Serves staged replies on 127.0.0.1; unknown paths get a JSON 404."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        #: Connections accepted so far.
        self.accepted = 0
        self._releases: list[threading.Event] = []
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                staged = getattr(self, "staged_date", None)
                return super().date_time_string(staged if staged is not None else timestamp)

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]  # absolute for requests sent to a proxy
                server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                reply = server.next_reply(path)
                if reply.arrived is not None:
                    reply.arrived.set()
                if reply.hold is not None:
                    reply.hold.wait(30)
                if reply.raw is not None:
                    self.wfile.write(reply.raw)
                    self.close_connection = True
                    return
                if reply.drip_headers:
                    self._drip_head(reply)
                    return
                self.staged_date = reply.date
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                for cookie in reply.cookies:
                    self.send_header("Set-Cookie", cookie)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(reply.body), 65536):
                        chunk = reply.body[start : start + 65536]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                declared = reply.declared_length or len(reply.body)
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                if reply.drip:
                    for index in range(len(reply.body)):
                        self.wfile.write(reply.body[index : index + 1])
                        self.wfile.flush()
                        if server.closing.wait(reply.drip):
                            return
                    return
                self.wfile.write(reply.body)
                if reply.declared_length or reply.hang_up:
                    self.close_connection = True

            def _drip_head(self, reply: Reply) -> None:
                lines = [f"HTTP/1.1 {reply.status} Slow", f"Content-Type: {reply.content_type}"]
                lines += [f"{name}: {value}" for name, value in reply.headers.items()]
                lines += [f"Content-Length: {len(reply.body)}", "", ""]
                for byte in "\r\n".join(lines).encode("latin-1"):
                    self.wfile.write(bytes([byte]))
                    if server.closing.wait(reply.drip_headers):
                        return
                self.wfile.write(reply.body)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815

        class Server(ThreadingHTTPServer):
            def process_request(self, request: Any, client_address: Any) -> None:
                server.accepted += 1  # only the serving thread accepts
                super().process_request(request, client_address)

            def handle_error(self, request: object, client_address: object) -> None:
                # A client that hangs up mid-reply (size cap, timeout) is what we test.
                pass

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.port: int = self._httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def stage(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with these replies in turn; the last one from then on."""
        for reply in replies:
            if reply.hold is not None:
                self._releases.append(reply.hold)
        self.replies[path] = list(replies)

    def next_reply(self, path: str) -> Reply:
        """The reply for this request of ``path``."""
        queue = self.replies.get(path)
        if not queue:
            return Reply(404, b'{"error": "not_found"}')
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def __enter__(self) -> StagedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        for event in self._releases:
            event.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def staged_server(tls: ssl.SSLContext | None = None) -> Iterator[StagedServer]:
    """A fixture body: a started server, stopped (and every hold released) afterwards."""
    with StagedServer(tls) as server:
        yield server
