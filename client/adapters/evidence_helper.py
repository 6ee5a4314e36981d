"""The evidence helper process: a report's heavy work, outside the tray's memory.

Taking the diagnostics snapshot (psutil) and encoding the screenshot (Pillow)
leave about 8 MB in a process for good: the modules stay loaded and the
encoder's buffers fragment the heap (docs/performance.md, "after first
use"). A tray runs all day; a report takes a minute. So the tray starts this
same program with ``--evidence-helper`` when a report may follow (the menu
opens), asks it over its pipes, and ends it once the report's work has been
quiet for a while (:class:`client.services.evidence.EvidenceService`): the
memory goes with the process. The desk check stays in the tray
(:class:`client.adapters.desk_probe.DeskProbe`): it needs the desk the user
is signed in to now, and runs beside the snapshot.

The pipes carry messages: one line of JSON (``"size"``: how many raw bytes
follow it), then those bytes (the screenshot's pixels, the encoded file).
One request at a time; each answer is ``{"ok": true, ...}`` or ``{"ok":
false, "code": ..., "detail": ...}``. Both sides bound what they read.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

from client import EVIDENCE_HELPER_FLAG
from client.adapters.helper_process import helper_command, start_helper
from client.core.errors import ClientError
from client.core.models import Attachment

if TYPE_CHECKING:
    from client.adapters.desk_probe import DeskProbe
    from client.core.diagnostics import ProbeTarget
    from client.core.redact import Redactor

logger = logging.getLogger(__name__)

#: The longest header line either side reads (a snapshot is tens of KB).
MAX_HEADER_BYTES = 4 * 1024 * 1024
#: The most raw bytes after a header: the pixels of three 8K screens side by side.
MAX_PAYLOAD_BYTES = 3 * 7680 * 4320 * 3
#: How long one request may take before the helper is ended (a snapshot takes ~10 ms,
#: an encoding ~50 ms; a machine at its limits, many times that).
DEFAULT_TIMEOUT_S = 30.0
#: What an encoded screenshot may be.
_IMAGE_TYPES = {"image/webp": ".webp", "image/jpeg": ".jpg"}


class HelperFailed(ClientError):
    """The evidence helper did not start, broke off, took too long or answered nonsense."""

    code = "helper_failed"


class BadMessage(ValueError):
    """A message on the pipe that does not keep to the protocol."""


def write_message(out: IO[bytes], header: dict[str, Any], payload: bytes = b"") -> None:
    """Send ``header`` (JSON, one line) and ``payload`` after it."""
    line = json.dumps({**header, "size": len(payload)}, separators=(",", ":")).encode()
    out.write(line + b"\n")
    if payload:
        out.write(payload)
    out.flush()


def read_message(source: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """The next message, or ``None`` at the end of the pipe before one began.

    Raises :class:`BadMessage` for a header that is too long, not a JSON
    object, announces an impossible size, or a payload cut short.
    """
    line = source.readline(MAX_HEADER_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_HEADER_BYTES or not line.endswith(b"\n"):
        raise BadMessage("header too long or cut short")
    try:
        header = json.loads(line)
    except ValueError as error:
        raise BadMessage(f"header is not JSON ({error})") from error
    if not isinstance(header, dict):
        raise BadMessage("header is not an object")
    size = header.get("size", 0)
    if type(size) is not int or not 0 <= size <= MAX_PAYLOAD_BYTES:
        raise BadMessage(f"impossible payload size {size!r}")
    payload = source.read(size) if size else b""
    if len(payload) != size:
        raise BadMessage(f"payload cut short ({len(payload)} of {size} bytes)")
    return header, payload


def answer_requests(
    source: IO[bytes],
    out: IO[bytes],
    handle: Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]],
) -> int:
    """A helper's loop: each request from ``source`` answered on ``out``; the exit status.

    It ends when ``source`` ends (the tray closed the pipe, or died) or the
    stream is out of step. An error in one request is answered, not fatal.
    """
    while True:
        try:
            message = read_message(source)
        except BadMessage as error:
            write_message(out, {"ok": False, "code": "bad_request", "detail": str(error)})
            return 2  # the stream is out of step: nothing after this can be trusted
        if message is None:
            return 0
        try:
            answer, data = handle(*message)
        except BadMessage as error:
            write_message(out, {"ok": False, "code": "bad_request", "detail": str(error)})
            continue
        except ClientError as error:
            write_message(out, {"ok": False, "code": error.code, "detail": error.detail})
            continue
        except Exception as error:  # a bug or a broken library: the tray logs it and goes on
            detail = f"{type(error).__name__}: {error}"[:500]
            write_message(out, {"ok": False, "code": "error", "detail": detail})
            continue
        write_message(out, {"ok": True, **answer}, data)


def evidence_helper_command(options: dict[str, Any], **where: Any) -> list[str]:
    """How to start the helper (``where``: see :func:`helper_command`).

    ``options`` travel as one JSON argument, which anyone on the computer can
    read: nothing secret (the app's version, the log file, what the policy
    lets the snapshot name). Secrets go with each request, over the pipe.
    """
    encoded = json.dumps(options, separators=(",", ":"))
    return helper_command(EVIDENCE_HELPER_FLAG, encoded, **where)


class EvidenceHelper:
    """The tray's side of the helper process: started on first use, one request at a time.

    Thread-safe: requests from several workers wait their turn. A helper
    that dies, hangs past ``timeout_s`` or breaks the protocol is ended and
    the request raises :class:`HelperFailed`; the next request starts a new
    one. :meth:`close` ends it politely (its memory goes with it),
    :meth:`cancel` at once (the app is quitting).
    """

    def __init__(
        self,
        command: Sequence[str],
        timeout_s: float = DEFAULT_TIMEOUT_S,
        what: str = "evidence helper",
    ) -> None:
        self._command = list(command)
        self._what = what  # in the log: which helper this is
        self._timeout_s = timeout_s
        self._lock = threading.Lock()  # one request at a time, and the process with it
        self._process: Any = None  # subprocess.Popen[bytes] while one runs
        self._cancelled = False  # the app is quitting: no new helper
        self.started = 0  # helper processes started so far (for tests and the log)

    def is_running(self) -> bool:
        """Whether a helper process is alive now."""
        process = self._process
        return process is not None and process.poll() is None

    def call(
        self, op: str, args: dict[str, Any] | None = None, payload: bytes = b""
    ) -> tuple[dict[str, Any], bytes]:
        """Ask the helper to do ``op``; its answer and the bytes after it."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise HelperFailed(f"{op}: {len(payload) >> 20} MB is more than the helper takes")
        with self._lock:
            if self._cancelled:
                raise HelperFailed(f"{op}: the app is quitting")
            if self._process is not None and not self.is_running():
                self._end(self._process)  # died since the last request: reap it
            process = self._process or self._start()
            timed_out = threading.Event()

            def overdue() -> None:
                timed_out.set()
                process.kill()  # unblocks the read below with the end of the pipe

            watchdog = threading.Timer(self._timeout_s, overdue)
            watchdog.daemon = True
            watchdog.start()
            try:
                write_message(process.stdin, {"op": op, **(args or {})}, payload)
                message = read_message(process.stdout)
            except Exception as error:  # broken, closed, out of step: it cannot be trusted on
                self._end(process)
                raise self._failure(op, timed_out, f"{type(error).__name__}: {error}") from error
            finally:
                watchdog.cancel()
            if message is None:
                self._end(process)
                raise self._failure(op, timed_out, f"it ended ({process.returncode})")
        header, data = message
        if header.get("ok") is not True:
            detail = str(header.get("detail", ""))[:500]
            raise HelperFailed(f"{op}: {header.get('code', 'error')}: {detail}")
        return header, data

    def _failure(self, op: str, timed_out: threading.Event, why: str) -> HelperFailed:
        if timed_out.is_set():
            return HelperFailed(f"{op}: no answer within {self._timeout_s:g} s")
        return HelperFailed(f"{op}: the helper broke off: {why}")

    def _start(self) -> Any:
        try:
            process = start_helper(self._command, text=False, keep_stderr=False)
        except OSError as error:
            raise HelperFailed(f"the {self._what} did not start: {error}") from error
        self._process = process
        self.started += 1
        logger.info("%s started (pid %d)", self._what, process.pid)
        return process

    def _end(self, process: Any) -> None:
        """Make sure ``process`` is gone and reaped."""
        import subprocess

        for pipe in (process.stdin, process.stdout):
            try:
                pipe.close()
            except OSError:
                pass  # a broken pipe is what we are cleaning up after
        try:
            process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._process is process:
            self._process = None

    def close(self) -> None:
        """End the helper once it has finished the request it is on: its memory goes with it."""
        with self._lock:
            if self._process is not None:
                logger.info("%s ended (idle)", self._what)
                self._end(self._process)

    def cancel(self) -> None:
        """End the helper at once, mid-request if need be (the app is quitting).

        No helper starts after this. A request on its way reads the end of the
        pipe and cleans up itself; otherwise the helper is reaped here.
        """
        self._cancelled = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if self._lock.acquire(blocking=False):
            try:
                if self._process is not None:
                    self._end(self._process)
            finally:
                self._lock.release()


class HelperDiagnostics:
    """The ``DiagnosticsSource`` port: the local part in the helper, the desk check here.

    Each snapshot request carries, over the pipe (never the command line),
    what the helper needs to redact as the tray would: the credentials the
    tray has learnt, masked before user and host names, and the policy's
    proxy. The log lines are redacted here once more on their way back.
    """

    def __init__(
        self,
        helper: EvidenceHelper,
        probe: DeskProbe,
        redactor: Redactor,
        desk_url: Callable[[], str],
        policy_proxy: str = "",
    ) -> None:
        self._helper = helper
        self._probe = probe
        self._redactor = redactor
        self._desk_url = desk_url
        self._policy_proxy = policy_proxy

    def sample(self) -> object:
        """Start measuring CPU use, in the helper; pass the result to :meth:`local`."""
        header, _ = self._helper.call("sample")
        return header.get("sample")

    def local(self, since: object | None = None) -> dict[str, Any]:
        """Everything but the desk check, taken by the helper."""
        request = {
            "sample": since,
            "desk_url": self._desk_url(),
            "policy_proxy": self._policy_proxy,
            "secrets": list(self._redactor.secrets),
        }
        header, _ = self._helper.call("local", request)
        document = header.get("document")
        if not isinstance(document, dict):
            raise HelperFailed("local: the answer holds no snapshot")
        tail = document.get("log_tail")
        if isinstance(tail, list):
            document["log_tail"] = [self._redactor.redact(str(line)) for line in tail]
        return document

    def probe_target(self) -> ProbeTarget:
        """Where the desk check connects first (in the tray: it knows the desk)."""
        return self._probe.probe_target()

    def probe_desk(self, target: ProbeTarget) -> dict[str, Any]:
        """Name resolution and a TCP connection to ``target``, with timings."""
        return self._probe.probe_desk(target)


class HelperEncoder:
    """The ``ImageEncoder`` port: the pixels go to the helper, the file comes back."""

    def __init__(self, helper: EvidenceHelper) -> None:
        self._helper = helper

    def encode(self, width: int, height: int, stride: int, rgb: bytes, stem: str) -> Attachment:
        """Encode 8-bit RGB rows as ``<stem>.webp`` (or ``.jpg``), in the helper."""
        header, data = self._helper.call(
            "encode", {"width": width, "height": height, "stride": stride, "stem": stem}, rgb
        )
        mime = header.get("mime")
        extension = _IMAGE_TYPES.get(mime) if isinstance(mime, str) else None
        if extension is None or not data:
            raise HelperFailed(f"encode: an answer that is no image ({mime!r}, {len(data)} bytes)")
        return Attachment(f"{stem}{extension}", str(mime), data)
