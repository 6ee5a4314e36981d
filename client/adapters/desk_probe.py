"""Whether the desk can be reached: the proxy in effect, a name lookup and a TCP connection.

The network part of the diagnostics snapshot. It runs in the tray (on a
worker): it needs the desk the user is signed in to now, and only the
standard library, unlike the local part (``client/adapters/sysinfo.py``,
psutil), which runs in the evidence helper process.
"""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from client.core.diagnostics import PROBE_CAP_S, ProbeTarget, desk_unknown


def _round(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def problem_text(error: BaseException) -> str:
    """A short, secret-free reason for a note."""
    name = type(error).__name__
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{name}: {detail}" if detail else name


def _with_scheme(proxy: str) -> str:
    """A proxy setting with ``http://`` in front when it has no scheme.

    Without one, ``urlsplit("anna:pw@proxy:3128")`` takes "anna" for the
    scheme and the rest, password included, for a path.
    """
    proxy = proxy.strip()
    return proxy if "://" in proxy else f"http://{proxy}"


def _without_credentials(proxy: str) -> str:
    """Scheme, host and port of a proxy setting: never its user name, password or path."""
    scheme, _, rest = _with_scheme(proxy).partition("://")
    # Credentials end at the last "@", whatever they contain ("/", "#", even "@").
    parts = urlsplit("//" + rest.rpartition("@")[2])
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # not a number: left out, as a missing one
        port = None
    if port:
        netloc += f":{port}"
    return urlunsplit((scheme.lower(), netloc, "", "", ""))


class DeskProbe:
    """Finds where a request to the desk goes first and checks it answers.

    ``desk_url`` is asked each time (the user may sign in to another desk);
    ``policy_proxy`` is the proxy IT set, if any.
    """

    def __init__(
        self,
        desk_url: Callable[[], str] = lambda: "",
        policy_proxy: str = "",
        *,
        clock: Callable[[], float] = time.perf_counter,
        resolve: Callable[..., list[Any]] = socket.getaddrinfo,
    ) -> None:
        self._desk_url = desk_url
        self._policy_proxy = policy_proxy
        self._clock = clock
        self._resolve = resolve

    @staticmethod
    def proxy_in_effect(url: str, policy_proxy: str = "") -> dict[str, str] | None:
        """The proxy a request to ``url`` goes through (never with its credentials).

        A proxy written without a scheme (``anna:pw@proxy:3128``, as environment
        variables often are) is taken as ``http://``. May look up names (the
        proxy exceptions on Windows and macOS): call it on a worker.
        """
        if policy_proxy:
            return {"url": _without_credentials(policy_proxy), "source": "policy"}
        if not url:
            return None
        parts = urlsplit(url)
        proxies = urllib.request.getproxies()
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
            return None
        return {"url": _without_credentials(proxy), "source": "system"}

    def probe_target(self) -> ProbeTarget:
        """Host and port a request to the desk connects to first, and whether that is a proxy.

        May look up names (see :meth:`proxy_in_effect`): call it on a worker.
        """
        desk_url = self._desk_url()
        proxy = self.proxy_in_effect(desk_url, self._policy_proxy)
        # The proxy's URL has its scheme by now (``_without_credentials``).
        target = urlsplit(proxy["url"] if proxy else desk_url)
        try:
            port = target.port
        except ValueError:  # not a number: the scheme's usual one
            port = None
        port = port or (443 if target.scheme == "https" else 80)
        return ProbeTarget(target.hostname or "", port, proxy is not None)

    def probe_desk(
        self, target: ProbeTarget | None = None, cap_s: float = PROBE_CAP_S
    ) -> dict[str, Any]:
        """Resolve ``target``'s host and open a TCP connection, with timings.

        ``target`` is :meth:`probe_target` (found now when not given). The
        whole check keeps to ``cap_s`` as far as the operating system lets it
        (name resolution cannot be interrupted: the caller caps it too).
        """
        deadline = self._clock() + cap_s
        target = target or self.probe_target()
        host, port, via_proxy = target.host, target.port, target.via_proxy
        if not host:
            return desk_unknown(host, port, via_proxy, "no_desk")  # not signed in to any yet
        started = self._clock()
        try:
            found = self._resolve(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            return desk_unknown(host, port, via_proxy, f"dns_failed: {problem_text(error)}")
        dns_ms = (self._clock() - started) * 1000
        addresses = list(dict.fromkeys(info[4][0] for info in found))[:8]
        result = desk_unknown(host, port, via_proxy, "")
        result.update(dns_ms=_round(dns_ms), addresses=addresses, problem=None)
        problem = "no_address"
        for family, kind, proto, _name, address in found:
            remaining = deadline - self._clock()
            if remaining <= 0:
                problem = "timeout"
                break
            connect_started = self._clock()
            try:
                with socket.socket(family, kind, proto) as probe:
                    probe.settimeout(remaining)
                    probe.connect(address)
            except TimeoutError:
                problem = "timeout"
                continue
            except ConnectionRefusedError:
                problem = "refused"
                continue
            except OSError as error:
                problem = f"unreachable: {problem_text(error)}"
                continue
            result.update(tcp_ms=_round((self._clock() - connect_started) * 1000), reachable=True)
            return result
        result["problem"] = problem
        return result
