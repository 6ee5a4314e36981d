"""A fault-injecting reverse proxy in front of a real desk.

Requests pass through to the upstream desk unchanged, unless a fault is
armed for them. Some faults answer instead of the desk (the request never
arrives: a gateway error, a redirect loop); others let the desk do the work
and then spoil the answer (a reset mid-body, malformed JSON, a slow drip),
which is exactly when a client must not create the ticket twice.
"""

from __future__ import annotations

import enum
import http.client
import socket
import ssl
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class Fault(enum.Enum):
    """What can go wrong between the client and the desk."""

    DELAY = "delay"  # the desk answers, but only after the client gave up
    RESET_MID_BODY = "reset_mid_body"  # the desk answered; the connection dies halfway
    SERVER_ERROR_500 = "500"  # a gateway error; the desk never saw the request
    BAD_GATEWAY_502 = "502"
    UNAVAILABLE_503 = "503"
    MALFORMED_JSON = "malformed_json"  # the desk answered; the body is garbage
    TRUNCATED_JSON = "truncated_json"
    ENORMOUS_BODY = "enormous_body"  # the desk answered; then 50 MB arrive
    SLOW_DRIP = "slow_drip"  # the desk answered; it arrives a byte at a time
    WRONG_CONTENT_TYPE = "wrong_content_type"  # a captive portal's login page
    REDIRECT_LOOP = "redirect_loop"
    TLS_UNKNOWN_CA = "tls_unknown_ca"  # served by the TLS listener; clears when trusted

    @property
    def forwards(self) -> bool:
        """Whether the desk receives (and acts on) the request despite the fault."""
        return self in {
            Fault.DELAY,
            Fault.RESET_MID_BODY,
            Fault.MALFORMED_JSON,
            Fault.TRUNCATED_JSON,
            Fault.ENORMOUS_BODY,
            Fault.SLOW_DRIP,
            Fault.WRONG_CONTENT_TYPE,
        }


@dataclass
class _Armed:
    fault: Fault
    method: str | None
    path_prefix: str


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


class FaultProxy:
    """Forwards to ``upstream``; arm a fault with :meth:`inject`, lift it with :meth:`clear`."""

    def __init__(self, upstream: str, *, delay_s: float = 2.0, drip_s: float = 0.05) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.delay_s = delay_s
        self.drip_s = drip_s
        self._armed: _Armed | None = None
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.faulted = 0  # requests that met a fault
        #: (method, path) of every request that reached the desk, spoiled or not.
        self.forwarded: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._fault_for(self.command, self.path)
                if fault is None:
                    self._relay(*proxy._forward(self.command, self.path, self.headers, body))
                    return
                with proxy._lock:
                    proxy.faulted += 1
                proxy._play(self, fault, body)

            def _relay(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle  # noqa: N815

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients hanging up on a spoiled answer is the point

        self._plain = Server(("127.0.0.1", 0), Handler)
        self._tls: Server | None = None
        self._handler = Handler
        self._server_class = Server
        self.url = f"http://127.0.0.1:{self._plain.server_address[1]}"
        self.tls_url = ""
        self._threads: list[threading.Thread] = []

    # --- control ---------------------------------------------------------------------------

    def inject(self, fault: Fault, method: str | None = None, path_prefix: str = "") -> None:
        """Spoil every matching request from now on, until :meth:`clear`."""
        with self._lock:
            self._armed = _Armed(fault, method, path_prefix)

    def clear(self) -> None:
        """Let every request through again."""
        with self._lock:
            self._armed = None

    def serve_tls(self, context: ssl.SSLContext) -> str:
        """Also listen with TLS (for the unknown-CA fault); its base URL."""
        self._tls = self._server_class(("127.0.0.1", 0), self._handler)
        self._tls.socket = context.wrap_socket(self._tls.socket, server_side=True)
        self.tls_url = f"https://127.0.0.1:{self._tls.server_address[1]}"
        self._start(self._tls)
        return self.tls_url

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            armed = self._armed
        if armed is None or armed.fault is Fault.TLS_UNKNOWN_CA:
            return None
        if armed.method and armed.method != method:
            return None
        if not urlsplit(path).path.startswith(armed.path_prefix):
            return None
        return armed.fault

    # --- the desk, and the faults ----------------------------------------------------------

    def _forward(
        self, method: str, path: str, headers: object, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        with self._lock:
            self.forwarded.append((method, urlsplit(path).path))
        connection = http.client.HTTPConnection(*self._upstream, timeout=30)
        try:
            forwarded = {
                name: value
                for name, value in headers.items()  # type: ignore[attr-defined]
                if name.lower() not in _HOP_BY_HOP and name.lower() != "host"
            }
            forwarded["Host"] = f"{self._upstream[0]}:{self._upstream[1]}"
            connection.request(method, path, body=body or None, headers=forwarded)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _play(self, handler: BaseHTTPRequestHandler, fault: Fault, body: bytes) -> None:
        if fault.forwards:
            status, headers, data = self._forward(
                handler.command, handler.path, handler.headers, body
            )
        else:
            status, headers, data = 200, [], b""
        out = handler.wfile
        if fault is Fault.DELAY:
            if self.closing.wait(self.delay_s):
                return
            handler._relay(status, headers, data)  # type: ignore[attr-defined]
        elif fault is Fault.RESET_MID_BODY:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            out.write(data[: len(data) // 2])
            out.flush()
            _reset(handler.connection)
        elif fault in (Fault.SERVER_ERROR_500, Fault.BAD_GATEWAY_502, Fault.UNAVAILABLE_503):
            _answer(handler, int(fault.value), b"<html><h1>Gateway error</h1></html>", "text/html")
        elif fault is Fault.MALFORMED_JSON:
            _answer(handler, status, b'{"ticket": {"id": 12, "title": [}}', "application/json")
        elif fault is Fault.TRUNCATED_JSON:
            _answer(handler, status, data[: len(data) // 2], "application/json")
        elif fault is Fault.ENORMOUS_BODY:
            _stream(handler, status, ENORMOUS_BYTES)
        elif fault is Fault.SLOW_DRIP:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            for index in range(len(data)):
                out.write(data[index : index + 1])
                out.flush()
                if self.closing.wait(self.drip_s):
                    return
        elif fault is Fault.WRONG_CONTENT_TYPE:
            _answer(
                handler, 200, b"<html><form>Log in to the guest Wi-Fi</form></html>", "text/html"
            )
        elif fault is Fault.REDIRECT_LOOP:
            handler.send_response(302)
            handler.send_header("Location", handler.path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        handler.close_connection = True

    # --- life ------------------------------------------------------------------------------

    def _start(self, server: ThreadingHTTPServer) -> None:
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def __enter__(self) -> FaultProxy:
        self._start(self._plain)
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        for server in (self._plain, self._tls):
            if server is not None:
                server.shutdown()
                server.server_close()


def _answer(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(data)


#: The enormous body: announced, then streamed a megabyte at a time until the client hangs up.
ENORMOUS_BYTES = 50 * 1024 * 1024
_MEGABYTE = b" " * (1024 * 1024)


def _stream(handler: BaseHTTPRequestHandler, status: int, size: int) -> None:
    # Never one 50 MB string: building it would hold the GIL for tens of
    # milliseconds inside the client's own process, which no real network does.
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(size))
    handler.send_header("Connection", "close")
    handler.end_headers()
    for _ in range(size // len(_MEGABYTE)):
        handler.wfile.write(_MEGABYTE)


def _reset(connection: socket.socket) -> None:
    """Close with a TCP reset, as a crashed middlebox does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """A fixture body: a started proxy, stopped afterwards."""
    with FaultProxy(upstream) as proxy:
        yield proxy


class ProxyProcess:
    """The same proxy in a process of its own, armed and cleared over a pipe.

    For timing the client's GUI thread: a proxy in the client's process shares
    its interpreter lock, and a redirect loop served there at full speed keeps
    the GUI thread waiting, which no real network does.
    """

    def __init__(self, upstream: str) -> None:
        self._upstream = upstream
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> ProxyProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fault_proxy", self._upstream],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        self.url = self._said()
        return self

    def inject(self, fault: Fault) -> None:
        """Spoil every request from now on, until :meth:`clear`."""
        self._tell(f"inject {fault.value}")

    def clear(self) -> None:
        """Let every request through again."""
        self._tell("clear")

    def _tell(self, command: str) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        if self._said() != "ok":
            raise RuntimeError(f"the proxy process did not take {command!r}")

    def _said(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line:
            raise RuntimeError("the proxy process ended")
        return line

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()  # the proxy stops at the end of its input
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def main(argv: list[str]) -> int:
    """``python -m tests.support.fault_proxy UPSTREAM``: the URL, then ``ok`` per command."""
    with FaultProxy(argv[0]) as proxy:
        print(proxy.url, flush=True)
        for line in sys.stdin:
            command, _, value = line.strip().partition(" ")
            if command == "inject":
                proxy.inject(Fault(value))
            elif command == "clear":
                proxy.clear()
            else:
                print(f"unknown command {command!r}", flush=True)
                continue
            print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
