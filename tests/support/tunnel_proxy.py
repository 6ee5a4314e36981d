"""A local HTTP proxy that only tunnels (``CONNECT``), the way corporate proxies carry HTTPS.

It connects to whatever host and port the client names (tests name only
127.0.0.1) and pipes bytes both ways, seeing nothing of the TLS inside.
``drip`` makes it send its own ``200`` answer a byte at a time: a proxy that
is slow before the desk is even reached.
"""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading
from collections.abc import Iterator


class TunnelProxy:
    """Tunnels ``CONNECT host:port`` requests; ``tunnels`` counts those opened."""

    def __init__(self, *, drip: float = 0.0) -> None:
        self.drip = drip
        self.tunnels = 0
        self.closing = threading.Event()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._tunnel(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client giving up mid-tunnel is part of the tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                return
            head += data
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or host != "127.0.0.1":
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        with socket.create_connection((host, int(port)), timeout=10) as upstream:
            self.tunnels += 1
            answer = b"HTTP/1.1 200 Connection established\r\n\r\n"
            if self.drip:
                for byte in answer:
                    client.sendall(bytes([byte]))
                    if self.closing.wait(self.drip):
                        return
            else:
                client.sendall(answer)
            _pipe(client, upstream, self.closing)

    def __enter__(self) -> TunnelProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()


def _pipe(one: socket.socket, other: socket.socket, closing: threading.Event) -> None:
    """Copy bytes both ways until either side hangs up (or the proxy stops)."""
    peers = {one: other, other: one}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            selector.register(sock, selectors.EVENT_READ)
        while not closing.is_set():
            for key, _ in selector.select(timeout=0.1):
                source = key.fileobj
                assert isinstance(source, socket.socket)
                try:
                    data = source.recv(65536)
                    if not data:
                        return
                    peers[source].sendall(data)
                except OSError:
                    return


def tunnel_proxy(*, drip: float = 0.0) -> Iterator[TunnelProxy]:
    """A fixture body: a started proxy, stopped afterwards."""
    with TunnelProxy(drip=drip) as proxy:
        yield proxy
