"""The shared HTTP layer against a local server staging good and bad replies."""

from __future__ import annotations

import email.utils
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from client import __version__
from client.adapters.desks.django_helpdesk import API_PREFIX, DjangoHelpdeskConnector
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
from tests.support.tunnel_proxy import TunnelProxy, tunnel_proxy

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
    # The request never left; the network works, the server turned it away.
    assert caught.value.reason == "refused"


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


# --- the total time limit bounds the whole exchange ------------------------------------------

#: Limits short enough for tests: 2 s for everything, 1 s of silence at most.
TIGHT = HttpConfig(connect_timeout=2.0, read_timeout=1.0, total_timeout=2.0, retries=0)
#: A status line and headers of ~150 bytes, one every 0.1 s: ~15 s, never silent for 1 s.
SLOW_HEAD = Reply(body=b"{}", headers={"X-Padding": "." * 60}, drip_headers=0.1)
#: Comfortably above TIGHT's 2 s on a loaded machine, far below the ~15 s of the drip.
WITHIN = 4.0


@pytest.fixture
def trust_test_ca(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenSSL's system store honours SSL_CERT_FILE (see the test further up).
    bundle = tmp_path / "system-store.pem"
    bundle.write_bytes(pki.ca_cert.read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


@pytest.fixture
def tunnel() -> Iterator[TunnelProxy]:
    yield from tunnel_proxy()


def _timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except Exception as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


def test_headers_dripping_in_are_cut_off_by_the_total_time_limit(server: StagedServer) -> None:
    server.stage("/head", SLOW_HEAD)
    took, error = _timed(lambda: _client(server.url, TIGHT).get_json("/head"))
    assert took < WITHIN, f"still waiting for headers after {took:.1f} s"
    assert isinstance(error, Unavailable) and error.reason == "timeout"


def test_headers_dripping_in_over_tls_are_cut_off(
    tls_server: StagedServer, trust_test_ca: None
) -> None:
    tls_server.stage("/head", SLOW_HEAD)
    took, error = _timed(lambda: _client(tls_server.url, TIGHT).get_json("/head"))
    assert took < WITHIN, f"still waiting for headers after {took:.1f} s"
    assert isinstance(error, Unavailable) and error.reason == "timeout"


def test_headers_dripping_in_through_a_forwarding_proxy_are_cut_off(server: StagedServer) -> None:
    server.stage("http://desk.invalid/head", SLOW_HEAD)
    config = replace(TIGHT, proxy=server.url)
    took, error = _timed(lambda: _client("http://desk.invalid", config).get_json("/head"))
    assert took < WITHIN, f"still waiting for headers after {took:.1f} s"
    assert isinstance(error, Unavailable) and error.reason == "timeout"


def test_headers_dripping_in_over_tls_through_a_tunnel_are_cut_off(
    tls_server: StagedServer, tunnel: TunnelProxy, trust_test_ca: None
) -> None:
    tls_server.stage("/head", SLOW_HEAD)
    config = replace(TIGHT, proxy=tunnel.url)
    took, error = _timed(lambda: _client(tls_server.url, config).get_json("/head"))
    assert tunnel.tunnels == 1  # it did go through the proxy
    assert took < WITHIN, f"still waiting for headers after {took:.1f} s"
    assert isinstance(error, Unavailable) and error.reason == "timeout"


def test_a_proxy_slow_to_open_its_tunnel_is_cut_off(
    tls_server: StagedServer, trust_test_ca: None
) -> None:
    tls_server.stage("/t", Reply(body=b"{}"))
    with TunnelProxy(drip=0.3) as slow:  # its 39-byte "200" takes ~12 s
        config = replace(TIGHT, proxy=slow.url)
        took, error = _timed(lambda: _client(tls_server.url, config).get_json("/t"))
    assert took < WITHIN, f"still waiting for the tunnel after {took:.1f} s"
    assert isinstance(error, Unavailable) and error.reason == "timeout"


# --- retries stay within the total time limit ------------------------------------------------


def test_a_desk_that_never_answers_is_asked_once(server: StagedServer) -> None:
    # Decision: silence for a whole read timeout is not retried inline (the desk got the
    # request and is stuck; the caller's schedule asks again). One read timeout, not three.
    server.stage("/stuck", Reply(hold=threading.Event()))
    config = HttpConfig(connect_timeout=2.0, read_timeout=0.5, total_timeout=10.0, retries=2)
    took, error = _timed(lambda: _client(server.url, config).get_json("/stuck"))
    assert isinstance(error, Unavailable) and error.reason == "timeout"
    assert len(server.seen) == 1
    assert took < 2.5


def test_retries_share_the_total_time_limit(server: StagedServer) -> None:
    # Each answer is a 503 that takes ~1 s to arrive: retryable, never silent for long.
    server.stage("/flaky", Reply(503, b"x" * 20, "text/plain", drip=0.05))
    config = HttpConfig(connect_timeout=2.0, read_timeout=1.0, total_timeout=2.5, retries=6)
    waits = Waits()  # not really waited: only the attempts themselves take time
    took, error = _timed(lambda: _client(server.url, config, waits).get_json("/flaky"))
    assert isinstance(error, Unavailable)
    # Attempt 1 ends at ~1 s, attempt 2 at ~2 s; a third could not end by 2.5 s.
    assert len(server.seen) == 2
    assert took < WITHIN


def test_a_wait_that_would_pass_the_deadline_is_left_to_the_caller(server: StagedServer) -> None:
    server.stage("/busy", Reply(503, b"", "text/plain", headers={"Retry-After": "3"}))
    config = HttpConfig(total_timeout=2.0, retries=2)
    waits = Waits()
    with pytest.raises(Unavailable) as caught:
        _client(server.url, config, waits).get_json("/busy")
    assert waits == []
    assert len(server.seen) == 1
    assert caught.value.retry_after == 3


# --- nothing follows a redirect to another server --------------------------------------------


@pytest.fixture
def other() -> Iterator[StagedServer]:
    """Another server (another port: another origin) that records what reaches it."""
    yield from staged_server()


def _redirected(error: BaseException | None, other: StagedServer) -> None:
    assert isinstance(error, Unavailable), f"expected a refusal, got {error!r}"
    assert error.reason == "redirected"
    assert other.url in str(error)  # IT is told where the desk address leads


def test_the_sign_in_password_never_follows_a_redirect_to_another_server(
    server: StagedServer, other: StagedServer
) -> None:
    path = API_PREFIX + "/auth/token"
    server.stage(path, Reply(307, b"", headers={"Location": other.url + path}))
    other.stage(path, Reply(body=b'{"token": "from-elsewhere"}'))
    _, error = _timed(
        lambda: DjangoHelpdeskConnector(CONFIG).sign_in(server.url, "anna", "hunter2-secret")
    )
    assert [seen.body for seen in other.seen] == []
    _redirected(error, other)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("POST", {"data": {"text": "my reply"}}),
        ("POST", {"files": [("attachment", ("log.txt", b"diagnostics", "text/plain"))]}),
        ("PUT", {"json_body": {"state": "resolved"}}),
        ("DELETE", {}),
        ("GET", {}),
    ],
)
def test_nothing_is_sent_to_another_server_a_desk_redirects_to(
    server: StagedServer, other: StagedServer, status: int, method: str, body: dict[str, object]
) -> None:
    server.stage("/tickets/1", Reply(status, b"", headers={"Location": other.url + "/tickets/1"}))
    other.stage("/tickets/1", Reply(body=b"{}"))
    client = HttpClient(
        server.url, CONFIG, headers={"Authorization": "Token abc", "Cookie": "sessionid=s3ss10n"}
    )
    _, error = _timed(lambda: client.request(method, "/tickets/1", **body))  # type: ignore[arg-type]
    assert other.seen == []
    _redirected(error, other)


def test_a_request_for_another_server_is_refused_before_anything_is_sent(
    server: StagedServer, other: StagedServer
) -> None:
    other.stage("/attachment/1", Reply(body=b"{}"))
    with pytest.raises(BadResponse, match="another server"):
        _client(server.url).request("GET", other.url + "/attachment/1")
    assert other.seen == []


def test_redirects_on_the_desk_itself_are_followed_as_before(server: StagedServer) -> None:
    server.stage("/kept", Reply(307, b"", headers={"Location": "/kept-here"}))
    server.stage("/kept-here", Reply(body=b'{"ok": 1}'))
    server.stage("/seeother", Reply(303, b"", headers={"Location": server.url + "/result"}))
    server.stage("/result", Reply(body=b'{"ok": 2}'))
    client = _client(server.url)
    assert client.request("POST", "/kept", data={"a": "b"}).json() == {"ok": 1}
    assert client.request("POST", "/seeother", data={"a": "b"}).json() == {"ok": 2}
    assert [(s.method, s.path, s.body) for s in server.seen] == [
        ("POST", "/kept", b"a=b"),
        ("POST", "/kept-here", b"a=b"),  # 307: the same request again, here
        ("POST", "/seeother", b"a=b"),
        ("GET", "/result", b""),  # 303: a plain GET, no body
    ]
    assert all(s.headers["Authorization"] == "Token abc" for s in server.seen)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unfollowed_redirect_to_another_server_comes_back_and_can_be_refused(
    server: StagedServer, other: StagedServer, method: str
) -> None:
    # Request Tracker reads its 3xx itself: an expired session, or its login form naming
    # RT's own address behind a reverse proxy. A sign-in may ask for the refusal.
    server.stage("/login", Reply(302, b"", headers={"Location": other.url + "/"}))
    client = HttpClient(server.url, CONFIG, follow_redirects=False)
    response = client.request(
        method, "/login", data={"pass": "hunter2"} if method == "POST" else None
    )
    assert response.status == 302
    with pytest.raises(Unavailable) as caught:
        client.refuse_redirect_elsewhere(response)
    _redirected(caught.value, other)
    assert other.seen == []


# --- no secret in an error's text ------------------------------------------------------------

TOKEN = "q8Zr2mKx9Lp4Wd7N"
SID = "7f3a9c1e5b2d8f40"


def _secretive(url: str) -> HttpClient:
    headers = {"Authorization": f"Token {TOKEN}", "Cookie": f"sessionid={SID}"}
    return HttpClient(url, replace(CONFIG, retries=0), headers=headers)


def _all_text(error: BaseException) -> str:
    """What ``logger.exception`` would write: the message and the whole chain."""
    return "".join(traceback.format_exception(error))


def test_an_error_body_echoing_our_credentials_does_not_carry_them(server: StagedServer) -> None:
    echoed = (
        f"Bad request. You sent {TOKEN} with sessionid={SID}\x1b[2J\r\n"
        f"2026-12-01 INFO forged log line {'x' * 5000}"
    )
    payload = {"error": "invalid", "detail": echoed, "fields": {"title": [f"{TOKEN}?"]}}
    server.stage("/t", Reply(400, json.dumps(payload).encode()))
    with pytest.raises(Rejected) as caught:
        _secretive(server.url).request("POST", "/t", data={"a": "b"})
    text = _all_text(caught.value) + str(caught.value.fields)
    assert TOKEN not in text and SID not in text
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)
    assert len(str(caught.value)) <= 500


def test_a_broken_answer_echoing_our_credentials_does_not_carry_them(server: StagedServer) -> None:
    # A proxy echoing the request where its status line should be: http.client quotes it.
    server.stage("/t", Reply(raw=f"HTTP/1.1 2x0 Token {TOKEN}; sessionid={SID}\r\n\r\n".encode()))
    with pytest.raises(Unavailable) as caught:
        _secretive(server.url).get_json("/t")
    text = _all_text(caught.value)
    assert TOKEN not in text and SID not in text


def test_a_secret_learned_later_is_masked_too_and_every_secret_is_passed_on(
    server: StagedServer,
) -> None:
    server.stage("/t", Reply(500, b'{"detail": "session late-session-id-42 is broken"}'))
    told: list[str] = []
    client = HttpClient(
        server.url,
        replace(CONFIG, retries=0),
        headers={"Authorization": f"Token {TOKEN}"},
        remember_secret=told.append,  # the app's log redactor, say
    )
    client.add_secret("late-session-id-42")
    with pytest.raises(Unavailable) as caught:
        client.request("GET", "/t", headers={"Cookie": f"sessionid={SID}"})
    assert "late-session-id-42" not in _all_text(caught.value)
    assert {TOKEN, f"Token {TOKEN}", "late-session-id-42", SID} <= set(told)
    client.request("GET", "/t", headers={"Cookie": f"sessionid={SID}"}, check=False)
    assert told.count(SID) == 1  # told once, not at every request


# --- Retry-After, whatever the desk puts there -----------------------------------------------

DESK_NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("9" * 30, 3600.0),  # huge: capped
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("-5", None),
        ("1e400", None),
        ("soon", None),
        (email.utils.formatdate(DESK_NOW + 120, usegmt=True), 120.0),  # by the desk's clock
        (email.utils.formatdate(DESK_NOW - 600, usegmt=True), 0.0),  # already past
    ],
)
def test_retry_after_is_validated(server: StagedServer, value: str, expected: float | None) -> None:
    server.stage(
        "/busy", Reply(503, b"", "text/plain", headers={"Retry-After": value}, date=DESK_NOW)
    )
    with pytest.raises(Unavailable) as caught:
        _client(server.url, replace(CONFIG, retries=0)).get_json("/busy")
    assert caught.value.retry_after == expected


# --- connections: reused while they live, closed when done -----------------------------------


def _open_connections(port: int) -> list[str]:
    """States of this process's client-side TCP connections to ``port``."""
    return [
        c.status
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port
    ]


def _eventually(condition: Callable[[], bool], within: float = 5.0) -> bool:
    """Whether ``condition`` holds within ``within`` seconds (a kernel state, not a timing)."""
    give_up = time.monotonic() + within
    tick = threading.Event()
    while not condition():
        if time.monotonic() > give_up:
            return False
        tick.wait(0.02)
    return True


class IdleClock:
    """A settable monotonic clock for the client's idle-connection bookkeeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_threads_that_end_share_a_few_connections_and_leave_none_open(
    server: StagedServer,
) -> None:
    # The io pool's threads expire after 30 s idle: every poll may come from a new thread.
    server.stage("/t", Reply(body=b"{}"))
    client = _client(server.url)
    for _ in range(3):  # three waves of four short-lived threads, two requests each
        wave = [
            threading.Thread(target=lambda: [client.get_json("/t") for _ in range(2)])
            for _ in range(4)
        ]
        for thread in wave:
            thread.start()
        for thread in wave:
            thread.join()
    assert len(server.seen) == 24
    assert server.accepted <= 4, f"{server.accepted} connections for 12 threads"
    client.close()
    assert _open_connections(server.port) == []


def test_requests_in_one_thread_reuse_one_connection(server: StagedServer) -> None:
    server.stage("/t", Reply(body=b"{}"))
    client = _client(server.url)
    for _ in range(5):
        client.get_json("/t")
    assert server.accepted == 1
    assert _open_connections(server.port) == ["ESTABLISHED"]
    client.close()
    assert _open_connections(server.port) == []


def test_a_connection_the_desk_closed_while_idle_is_not_left_in_close_wait(
    server: StagedServer,
) -> None:
    server.stage("/bye", Reply(body=b"{}", hang_up=True))
    clock = IdleClock()
    client = HttpClient(server.url, CONFIG, idle_clock=clock)
    client.get_json("/bye")
    assert _eventually(lambda: _open_connections(server.port) == ["CLOSE_WAIT"])
    clock.now += CONFIG.keepalive_s + 1
    client.close_idle()
    assert _open_connections(server.port) == []


def test_a_connection_idle_too_long_is_replaced_not_reused(server: StagedServer) -> None:
    server.stage("/t", Reply(body=b"{}"))
    clock = IdleClock()
    client = HttpClient(server.url, CONFIG, idle_clock=clock)
    client.get_json("/t")
    clock.now += CONFIG.keepalive_s + 1
    client.get_json("/t")
    assert server.accepted == 2
    assert _open_connections(server.port) == ["ESTABLISHED"]  # the first one was closed
    client.close()


def test_concurrent_requests_never_share_a_session(server: StagedServer) -> None:
    # requests.Session promises no thread safety (psf/requests#2766).
    arrived, release = threading.Event(), threading.Event()
    server.stage("/hold", Reply(body=b"{}", arrived=arrived, hold=release))
    server.stage("/t", Reply(body=b"{}"))
    made: list[object] = []

    def factory(config: HttpConfig) -> object:
        session = make_session(config)
        made.append(session)
        return session

    config = replace(CONFIG, read_timeout=10.0)
    client = HttpClient(server.url, config, session_factory=factory)  # type: ignore[arg-type]
    worker = threading.Thread(target=client.get_json, args=("/hold",))
    worker.start()
    assert arrived.wait(10)
    client.get_json("/t")  # while the worker's request is in flight
    release.set()
    worker.join()
    client.get_json("/t")
    client.get_json("/t")
    assert len(made) == 2  # one each while both were busy; reused afterwards
    client.close()
