"""The shared HTTP layer against a local server staging good and bad replies."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from client import __version__
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.errors import (
    AuthFailed,
    BadResponse,
    Forbidden,
    NotFound,
    Rejected,
    Unavailable,
)
from tests.support.certs import Pki, make_pki
from tests.support.staged_server import Reply, StagedServer, staged_server

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=0.5, max_response_bytes=64 * 1024)


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


class Waits(list[float]):
    """Records the client's waits between retries instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(url: str, config: HttpConfig = CONFIG, waits: Waits | None = None) -> HttpClient:
    return HttpClient(
        url,
        config,
        headers={"Authorization": "Token abc"},
        sleep=waits if waits is not None else Waits(),
    )


def test_json_round_trip_with_our_user_agent(server: StagedServer) -> None:
    server.stage("/thing", Reply(body=b'{"answer": 42}'))
    assert _client(server.url).get_json("/thing", params={"q": "1"}) == {"answer": 42}
    (seen,) = server.seen
    assert seen.path == "/thing?q=1"
    assert seen.headers["User-Agent"] == f"helpdesk-tray/{__version__}"
    assert seen.headers["Authorization"] == "Token abc"


@pytest.mark.parametrize(
    ("reply", "error", "attribute"),
    [
        (Reply(200, b"<html>login</html>", "text/html"), BadResponse, None),
        (Reply(200, b'{"tickets": [1, 2', "application/json"), BadResponse, None),
        (Reply(200, b"\xff\xfe\x00garbage", "application/json"), BadResponse, None),
        (Reply(500, b"<h1>Server Error (500)</h1>", "text/html"), Unavailable, "server_error"),
        (Reply(502, b"Bad gateway", "text/plain"), Unavailable, "server_error"),
        (Reply(429, b"{}", headers={"Retry-After": "7"}), Unavailable, "busy"),
        (Reply(401, b'{"error": "not_authenticated"}'), AuthFailed, None),
        (Reply(403, b"forbidden", "text/plain"), Forbidden, None),
        (Reply(404, b"<html>nope</html>", "text/html"), NotFound, None),
        (Reply(413, b'{"error": "too_large", "detail": "25 MB"}'), Rejected, "too_large"),
        (Reply(400, b'{"error": "invalid"}'), Rejected, "invalid"),
        (Reply(200, b"[" * 100_000 + b"]" * 100_000), BadResponse, None),
        (Reply(407, b"", headers={"Proxy-Authenticate": "Basic"}), Unavailable, "proxy"),
    ],
)
def test_replies_map_to_desk_errors(
    server: StagedServer, reply: Reply, error: type[Exception], attribute: str | None
) -> None:
    server.stage("/thing", reply)
    with pytest.raises(error) as caught:
        _client(server.url).get_json("/thing")
    if attribute is not None:
        assert caught.value.reason == attribute  # type: ignore[attr-defined]


def test_retry_after_is_kept_and_capped(server: StagedServer) -> None:
    server.stage("/busy", Reply(503, b"", "text/plain", headers={"Retry-After": "120"}))
    server.stage("/forever", Reply(503, b"", "text/plain", headers={"Retry-After": "999999"}))
    with pytest.raises(Unavailable) as busy:
        _client(server.url).get_json("/busy")
    assert busy.value.retry_after == 120
    with pytest.raises(Unavailable) as forever:
        _client(server.url).get_json("/forever")
    assert forever.value.retry_after == 3600


def test_header_names_are_read_whatever_their_case(server: StagedServer) -> None:
    # Proxies such as Envoy send every header name in lower case.
    server.stage("/busy", Reply(429, b"", "text/plain", headers={"retry-after": "7"}))
    with pytest.raises(Unavailable) as busy:
        _client(server.url).get_json("/busy")
    assert busy.value.retry_after == 7


def test_a_body_declared_too_large_is_refused(server: StagedServer) -> None:
    server.stage("/huge", Reply(body=b"[" + b"1," * 40000 + b"1]"))
    with pytest.raises(BadResponse, match="limit"):
        _client(server.url).get_json("/huge")


def test_a_streamed_body_growing_too_large_is_cut_off(server: StagedServer) -> None:
    server.stage("/stream", Reply(body=b"x" * (256 * 1024), chunked=True))
    with pytest.raises(BadResponse, match="limit"):
        _client(server.url).get_json("/stream")


def test_a_body_cut_short_is_a_connection_problem(server: StagedServer) -> None:
    server.stage("/cut", Reply(body=b'{"a": 1', declared_length=500))
    with pytest.raises(Unavailable) as caught:
        _client(server.url).get_json("/cut")
    assert caught.value.reason == "connection"


def test_a_desk_that_does_not_answer_times_out(server: StagedServer) -> None:
    server.stage("/slow", Reply(hold=threading.Event()))
    with pytest.raises(Unavailable) as caught:
        _client(server.url).get_json("/slow")
    assert caught.value.reason == "timeout"


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Unavailable) as caught:
        _client(f"http://127.0.0.1:{port}").get_json("/")
    assert caught.value.reason == "unreachable"  # the request never left


def test_redirect_loops_are_bounded(server: StagedServer) -> None:
    server.stage("/a", Reply(302, b"", headers={"Location": "/b"}))
    server.stage("/b", Reply(302, b"", headers={"Location": "/a"}))
    with pytest.raises(BadResponse, match="redirect"):
        _client(server.url).get_json("/a")
    assert len(server.seen) == CONFIG.max_redirects + 1


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_server(pki: Pki) -> Iterator[StagedServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    yield from staged_server(context)


def test_a_certificate_from_an_unknown_authority_is_refused(tls_server: StagedServer) -> None:
    tls_server.stage("/thing", Reply(body=b"{}"))
    with pytest.raises(Unavailable) as caught:
        _client(tls_server.url).get_json("/thing")
    assert caught.value.reason == "tls"
    assert tls_server.seen == []


def test_an_authority_trusted_by_the_system_store_is_accepted(
    tls_server: StagedServer, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # OpenSSL's system store honours SSL_CERT_FILE: this is how an organisation's
    # own root certificate reaches the client, without any bundled CA list.
    bundle = tmp_path / "system-store.pem"
    bundle.write_bytes(pki.ca_cert.read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    tls_server.stage("/thing", Reply(body=b'{"ok": true}'))
    assert _client(tls_server.url).get_json("/thing") == {"ok": True}


def test_a_secure_connection_spoiled_mid_answer_is_a_connection_problem_not_a_certificate_one(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A "tls" reason would tell the outbox the request never arrived; here it did.
    bundle = tmp_path / "system-store.pem"
    bundle.write_bytes(pki.ca_cert.read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    listener = socket.create_server(("127.0.0.1", 0))
    answered = threading.Event()

    def serve_once() -> None:
        raw, _ = listener.accept()
        with context.wrap_socket(raw, server_side=True) as conn:
            conn.recv(65536)  # the request
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 500\r\n\r\n{\"a\": ")  # fmt: skip
            answered.set()
            # A record the client cannot decrypt (a middlebox meddling, say).
            with socket.socket(fileno=os.dup(conn.fileno())) as under:
                under.sendall(b"\x17\x03\x03\x00\x20" + os.urandom(32))

    server = threading.Thread(target=serve_once, daemon=True)
    server.start()
    port = listener.getsockname()[1]
    client = HttpClient(f"https://127.0.0.1:{port}", replace(CONFIG, retries=0))
    with pytest.raises(Unavailable) as caught:
        client.request("POST", "/tickets", data={"title": "x"})
    server.join(timeout=10)
    listener.close()
    assert answered.is_set()
    assert caught.value.reason == "connection"


def test_requests_is_loaded_without_a_character_set_detector() -> None:
    # In a fresh process, as in the app: the detector stays out of memory.
    code = (
        "import sys, client.adapters.http as h; "
        "print(sys.modules.get('charset_normalizer'), sys.modules.get('chardet'), "
        "h.requests.__version__ != '', 'importlib.metadata' in sys.modules, "
        "h.urllib3.connection.http2_probe.acquire_and_get is not None)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    # No detector; and urllib3 without importlib.metadata, its HTTP/2 probe still working.
    assert result.stdout.split() == ["None", "None", "True", "False", "True"]


def test_a_flaky_get_is_retried_with_growing_waits(server: StagedServer) -> None:
    server.stage("/t", Reply(503, b"", "text/plain"), Reply(502, b""), Reply(body=b'{"ok": 1}'))
    waits = Waits()
    assert _client(server.url, waits=waits).get_json("/t") == {"ok": 1}
    assert len(server.seen) == 3
    assert 0.5 <= waits[0] <= 0.75 and 1.0 <= waits[1] <= 1.5


def test_a_post_is_never_repeated_by_the_http_layer(server: StagedServer) -> None:
    server.stage("/t", Reply(503, b"", "text/plain"), Reply(body=b"{}"))
    with pytest.raises(Unavailable):
        _client(server.url).request("POST", "/t", data={"a": "b"})
    assert len(server.seen) == 1  # the outbox decides about resending, with its key


def test_retry_after_is_waited_for_when_short_and_left_to_the_caller_when_long(
    server: StagedServer,
) -> None:
    server.stage("/short", Reply(429, b"", headers={"Retry-After": "3"}), Reply(body=b"{}"))
    server.stage("/long", Reply(429, b"", headers={"Retry-After": "300"}), Reply(body=b"{}"))
    waits = Waits()
    assert _client(server.url, waits=waits).get_json("/short") == {}
    assert waits == [3.0]
    with pytest.raises(Unavailable) as caught:
        _client(server.url).get_json("/long")
    assert caught.value.retry_after == 300
    assert [s.path for s in server.seen].count("/long") == 1


def test_a_slow_drip_is_cut_off_by_the_total_time_limit(server: StagedServer) -> None:
    server.stage("/drip", Reply(body=b"[" + b"1," * 300 + b"1]", drip=0.02))
    config = HttpConfig(read_timeout=1.0, total_timeout=0.5, retries=0)
    with pytest.raises(Unavailable) as caught:
        _client(server.url, config).get_json("/drip")
    assert caught.value.reason == "timeout"


def test_a_policy_proxy_carries_every_request(server: StagedServer) -> None:
    # The desk's name does not even resolve: only the proxy can reach it.
    server.stage("http://desk.invalid/api/x", Reply(body=b'{"via": "proxy"}'))
    config = HttpConfig(proxy=server.url, retries=0)
    assert _client("http://desk.invalid", config).get_json("/api/x") == {"via": "proxy"}
    assert server.seen[0].path == "http://desk.invalid/api/x"  # absolute form: a proxy request


def test_the_system_proxy_is_used(server: StagedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", server.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    server.stage("http://desk.invalid/api/x", Reply(body=b'{"via": "system proxy"}'))
    assert _client("http://desk.invalid").get_json("/api/x") == {"via": "system proxy"}


def test_a_proxy_that_is_down_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = HttpConfig(proxy=f"http://127.0.0.1:{port}", retries=0)
    with pytest.raises(Unavailable) as caught:
        _client("http://desk.invalid", config).get_json("/api/x")
    assert caught.value.reason == "proxy"


def test_each_thread_gets_its_own_session(server: StagedServer) -> None:
    server.stage("/t", Reply(body=b"{}"))
    made: list[object] = []

    def factory(config: HttpConfig) -> object:
        session = make_session(config)
        made.append(session)
        return session

    client = HttpClient(server.url, CONFIG, session_factory=factory)  # type: ignore[arg-type]
    client.get_json("/t")
    client.get_json("/t")
    worker = threading.Thread(target=client.get_json, args=("/t",))
    worker.start()
    worker.join()
    assert len(made) == 2  # one for this thread, one for the worker
    client.close()


def test_redirects_come_back_unfollowed_when_asked(server: StagedServer) -> None:
    # Request Tracker answers an expired session with 302 to its front page: the
    # adapter must see that, not the front page.
    server.stage("/a", Reply(302, b"", headers={"Location": "/b"}))
    server.stage("/b", Reply(body=b'{"followed": true}'))
    client = HttpClient(server.url, CONFIG, follow_redirects=False)
    response = client.request("GET", "/a")
    assert (response.status, response.headers["Location"]) == (302, "/b")
    assert [s.path for s in server.seen] == ["/a"]
    assert _client(server.url).get_json("/a") == {"followed": True}  # the default follows


def test_request_trackers_message_is_the_errors_detail(server: StagedServer) -> None:
    server.stage("/t", Reply(400, b'{"message": "Permission Denied"}'))
    with pytest.raises(Rejected) as caught:
        _client(server.url).request("POST", "/t", json_body={})
    assert caught.value.detail == "Permission Denied"
    assert caught.value.reason == "400"
