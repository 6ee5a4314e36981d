"""The desk kit: reading a desk's answers safely, shared by every desk adapter.

A desk's answer is untrusted input. What it says is read through these
functions, so that each adapter need not get the same details right again:

* field readers: text, timestamps, records, and shape errors as :class:`BadResponse`;
* ids: an id read from an answer is checked when it is read (:func:`desk_id`), an id
  about to go into a path is checked and quoted (:func:`ref_id`, :func:`path`);
* URLs and paths the desk gives stay on the desk's origin and under a path prefix
  (:func:`desk_path`, :func:`desk_url`, :func:`same_origin_url`);
* writes are done only when the answer says so (:func:`answer`, :func:`expect`);
* conditional requests (:class:`EtagCache`), multipart uploads (:func:`uploads`),
  issued tokens (:func:`credential`) and photos (:func:`photo_body`);
* the change cursor of a desk searched by "changed since T" (:class:`ChangeWindow`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

from client.adapters.http import HttpResponse, origin
from client.adapters.recent import Recent
from client.core.errors import BadResponse, NotFound
from client.core.models import Attachment

T = TypeVar("T")
V = TypeVar("V")

# --- field readers -------------------------------------------------------------------------


def text(value: Any, default: str = "", *, numbers: bool = False) -> str:
    """A text field; ``None`` is ``default``. With ``numbers``, a number is read as its text."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadResponse(f"expected text, got {type(value).__name__}")


def timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp with its time zone."""
    if not isinstance(value, str):
        raise BadResponse(f"expected a timestamp, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadResponse(f"bad timestamp {value[:40]!r}") from exc
    if parsed.tzinfo is None:
        raise BadResponse(f"timestamp without a time zone: {value[:40]!r}")
    return parsed


def optional_timestamp(value: Any) -> datetime | None:
    """A timestamp, or ``None`` for a missing one."""
    return None if value is None else timestamp(value)


def record(value: Any, what: str) -> Mapping[str, Any]:
    """A JSON object (``what`` names it in the error)."""
    if not isinstance(value, Mapping):
        raise BadResponse(f"expected {what} as an object, got {type(value).__name__}")
    return value


def records(value: Any, what: str) -> list[Mapping[str, Any]]:
    """A JSON list of objects."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise BadResponse(f"expected a list of {what}")
    return value


def mapped(what: str, build: Callable[[], T]) -> T:
    """Run ``build``; an answer of the wrong shape becomes a :class:`BadResponse`."""
    try:
        return build()
    except BadResponse:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise BadResponse(f"unexpected {what} from the desk: {type(exc).__name__}: {exc}") from exc


def server_time(response: HttpResponse) -> datetime | None:
    """The desk's clock when it answered (its ``Date`` header), if it sent a readable one."""
    try:
        return parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None


# --- the change cursor of a desk searched by "changed since T" ---------------------------


@dataclass(frozen=True)
class ChangeWindow:
    """What the previous "changed since T" search returned, and when it ran.

    ``newest`` is the latest change time among the user's tickets, by the desk's
    clock: every change after that search is at least as new, so the next search
    starts there (less the desk's margin). ``answered`` is the desk's time when it
    answered (:func:`desk_time`); ``seen`` each ticket's :func:`fingerprint` as
    returned: a ticket returned exactly as before that was settled by then
    (:func:`settled`) is left out. Redmine and TOPdesk use it.
    """

    newest: float | None
    answered: float | None
    seen: Mapping[str, str]

    def dumps(self, version: int) -> str:
        """The cursor's text, marked with the adapter's cursor ``version``."""
        return json.dumps(
            {"v": version, "newest": self.newest, "answered": self.answered, "seen": self.seen}
        )

    @classmethod
    def loads(cls, text: str, version: int) -> ChangeWindow | None:
        """The window in ``text``; ``None`` for another version or anything unreadable."""
        try:
            data = json.loads(text)
            if data.get("v") != version:
                return None
            newest, answered = data.get("newest"), data.get("answered")
            seen = {str(k): str(v) for k, v in dict(data["seen"]).items()}
            return cls(
                None if newest is None else float(newest),
                None if answered is None else float(answered),
                seen,
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def settled(updated: datetime, answered: float | None, margin_s: float) -> bool:
    """Whether a ticket changed at ``updated`` cannot have changed unseen by ``answered``.

    Desks keep whole seconds (or round their ``Date`` to them): a second change in the
    same second leaves the change time as it was. ``answered`` is the desk's time when
    it answered (:func:`desk_time`), ``None`` for never; ``margin_s`` the seconds a
    change may hide in.
    """
    return answered is not None and updated.timestamp() <= answered - margin_s


def desk_time(
    response: HttpResponse, ours: float, without_clock_s: float, margin_s: float
) -> float:
    """The desk's time when it answered: its ``Date``, or a bound on it.

    Without a ``Date`` (Puma alone sends none), this computer's time ``ours`` less
    ``without_clock_s`` (a bound while the clocks differ by less): what counts as
    settled waits that much longer.
    """
    told = server_time(response)
    if told is not None:
        return told.timestamp()
    return ours - without_clock_s + margin_s


def fingerprint(item: Mapping[str, Any]) -> str:
    """A short digest of a record as the desk sent it: equal only when nothing changed."""
    raw = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


#: The line a report's key travels on at the end of a ticket's text, on desks whose key
#: field may be missing or silently refused (Request Tracker, Redmine).
REPORT_ID_LINE = "Report-ID: "


def with_key_line(text: str, key: str) -> str:
    """The report's text with its key on the last line."""
    return f"{text.rstrip()}\n\n{REPORT_ID_LINE}{key}".lstrip()


def last_line(text: str) -> str:
    """The text's last line, stripped: where a report's key line is looked for."""
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else ""


def confirmation(text: str = "") -> str:
    """The note that says the employee confirms the problem is solved, with their words."""
    return f"The requester confirms the problem is solved.\n\n{text.strip()}".strip()


def without_key_line(text: str) -> str:
    """The report's text without the key line the tray added for the desk."""
    lines = text.rstrip().splitlines()
    if lines and lines[-1].startswith(REPORT_ID_LINE):
        return "\n".join(lines[:-1]).rstrip()
    return text.strip()


# --- ids and paths -------------------------------------------------------------------------

#: A positive whole number in its plain decimal form: django-helpdesk's ids, RT's too.
#: Eighteen digits at most: what fits a 64-bit column (and what tray_api's routes accept).
POSITIVE_INT = re.compile(r"[1-9][0-9]{0,17}")


def desk_id(value: Any, pattern: re.Pattern[str] = POSITIVE_INT, *, what: str = "id") -> str:
    """An id read from an answer, as text; anything ``pattern`` does not fully match is refused.

    A JSON number counts as its decimal text (``true`` does not). Check ids when
    they are read: they become paths of later requests.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadResponse(f"the desk sent an impossible {what}: {str(value)[:40]!r}")
    return value


def ref_id(value: str, pattern: re.Pattern[str] = POSITIVE_INT, *, what: str = "ticket") -> str:
    """An id about to name something in a path; one no desk can have is :class:`NotFound`.

    Called before any request: an id like ``../../x?y=1`` must never reach the desk.
    """
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise NotFound(f"no {what} can have the id {str(value)[:40]!r}")
    return value


def segment(value: str | int) -> str:
    """One path segment, percent-encoded (``/``, ``?``, ``#`` and ``%`` included).

    Empty, ``.`` and ``..`` are refused: quoting leaves dots alone, and servers
    resolve them.
    """
    raw = str(value)
    if raw in ("", ".", ".."):
        raise NotFound(f"{raw!r} names nothing")
    return urllib.parse.quote(raw, safe="")


def path(*segments: str | int) -> str:
    """``/a/b/c`` from segments, each quoted by :func:`segment`."""
    return "".join("/" + segment(s) for s in segments)


# --- paths and URLs the desk gives ---------------------------------------------------------

#: What may appear in a path from a desk (RFC 3986 ``pchar`` and ``/``), nothing else.
_PATH_CHARS = re.compile(r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")
#: Decoded from one segment, these would split it, climb out of it, or end the line.
_HIDING = re.compile(r"[/\\\x00-\x1f\x7f]")


def desk_path(value: Any, *, under: str) -> str:
    """A path the desk gave, refused unless it stays under ``under`` (which ends in ``/``).

    Refused: anything but an absolute path (``//host``, ``http:``, ``@host``), a
    query or fragment, backslashes, spaces and control characters, empty
    segments, and ``.``/``..`` or an encoded slash or backslash, written plainly or
    percent-encoded: each would let the desk point a credentialed request elsewhere.
    """
    if not under.startswith("/") or not under.endswith("/"):
        raise ValueError(f"a path prefix starts and ends with '/': {under!r}")
    if not isinstance(value, str) or not _PATH_CHARS.fullmatch(value) or value.startswith("//"):
        raise BadResponse(f"the desk sent an unusable path: {str(value)[:80]!r}")
    parts = value.split("/")[1:]
    for index, part in enumerate(parts):
        decoded = urllib.parse.unquote(part)
        empty_inside = not decoded and index < len(parts) - 1  # only the last may be empty
        if empty_inside or decoded in (".", "..") or _HIDING.search(decoded):
            raise BadResponse(f"the desk sent a path that climbs or hides: {value[:80]!r}")
    if not value.startswith(under):
        raise BadResponse(f"the desk sent a path outside {under}: {value[:80]!r}")
    return value


def desk_url(base_url: str, value: Any, *, under: str) -> str:
    """``base_url`` + a path the desk gave (checked by :func:`desk_path`)."""
    url = base_url.rstrip("/") + desk_path(value, under=under)
    _same_origin(base_url, url)
    return url


def same_origin_url(base_url: str, value: Any, *, under: str) -> str:
    """A full URL the desk gave, refused unless on ``base_url``'s origin and under its path.

    ``under`` is relative to ``base_url``'s own path. The URL comes back as given.
    """
    if not isinstance(value, str):
        raise BadResponse(f"expected a URL, got {type(value).__name__}")
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError as exc:
        raise BadResponse(f"the desk sent an unusable URL: {value[:80]!r}") from exc
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise BadResponse(f"the desk sent a URL with a query or fragment: {value[:80]!r}")
    _same_origin(base_url, value)
    prefix = urllib.parse.urlsplit(base_url).path.rstrip("/")
    if not parts.path.startswith(prefix + "/"):
        raise BadResponse(f"the desk sent a URL outside its own address: {value[:80]!r}")
    desk_path(parts.path[len(prefix) :], under=under)
    return value


def same_origin_path(base_url: str, value: Any, *, under: str) -> str:
    """What to request for a full URL the desk gave: its path below ``base_url``.

    Checked by :func:`same_origin_url` first: on the desk's origin, under ``under``.
    """
    url = same_origin_url(base_url, value, under=under)
    prefix = urllib.parse.urlsplit(base_url).path.rstrip("/")
    return urllib.parse.urlsplit(url).path[len(prefix) :]


def _same_origin(base_url: str, url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    has_user = parts.username is not None or parts.password is not None
    target = origin(url)
    if has_user or target is None or target != origin(base_url):
        raise BadResponse(f"the desk sent a URL on another origin: {url[:80]!r}")


# --- texts the desk wrote as HTML ---------------------------------------------------------

_BREAKS = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|tr|h[1-6])>")
_TAGS = re.compile(r"(?s)<[^>]*>")


def html_text(markup: str) -> str:
    """A desk's HTML (an agent's answer, a TOPdesk memo) as plain text.

    Line breaks and the ends of blocks become line ends, other tags go, entities are
    decoded. For the short, simple HTML desks store; not a sanitiser (nothing here
    renders it).
    """
    import html  # deferred: html.entities is 0.3 MB a desk without HTML never needs

    return html.unescape(_TAGS.sub("", _BREAKS.sub("\n", markup))).strip()


# --- answers to writes ---------------------------------------------------------------------


def answer(response: HttpResponse, status: int | Collection[int], what: str) -> Mapping[str, Any]:
    """The JSON object a desk answers a request with, at the status it documents for it.

    Anything else (another 2xx, an HTML page, a redirect followed with a GET, a
    truncated or malformed body, a list) is a :class:`BadResponse`: for a write,
    an unknown outcome, so the caller keeps what the user wrote.
    """
    expected = {status} if isinstance(status, int) else set(status)
    if response.status not in expected:
        raise BadResponse(
            f"{what}: the desk answered HTTP {response.status} ({response.content_type}),"
            f" not {' or '.join(str(s) for s in sorted(expected))}: not known to be done"
        )
    data = response.json()
    if not isinstance(data, Mapping):
        raise BadResponse(f"{what}: the desk answered with a {type(data).__name__}, not an object")
    return data


def expect(condition: bool, what: str, why: str) -> None:
    """A check of an answer: when it fails, a :class:`BadResponse` saying what and why."""
    if not condition:
        raise BadResponse(f"{what}: {why}")


def same_text(sent: str, stored: Any) -> bool:
    """Whether the desk stored the text sent, up to whitespace (line ends, trailing spaces)."""
    return isinstance(stored, str) and sent.split() == stored.split()


def basic_auth(user: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header for HTTP Basic (RFC 7617, UTF-8)."""
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def credential(value: Any, what: str = "token") -> str:
    """A credential a desk issued, to be sent back in a header: visible ASCII, no spaces."""
    if not isinstance(value, str) or not re.fullmatch(r"[\x21-\x7e]{8,512}", value):
        raise BadResponse(f"the desk answered without a usable {what}")
    return value


# --- conditional requests ------------------------------------------------------------------

#: An entity tag (RFC 9110, section 8.8.3), short enough to send back on every poll.
_ETAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]{0,200}"')


def entity_tag(value: str | None) -> str | None:
    """``value`` when it is a well-formed entity tag, else ``None`` (not worth sending back)."""
    return value if value is not None and _ETAG.fullmatch(value) else None


class EtagCache(Generic[V]):
    """The last few answers by key with their entity tags, for ``If-None-Match``.

    Shared by the worker threads of one adapter (the poll and a window's fetch).
    """

    def __init__(self, size: int) -> None:
        self._recent: Recent[tuple[str, V]] = Recent(size)

    def fetch(
        self,
        key: str,
        send: Callable[[Mapping[str, str] | None], HttpResponse],
        build: Callable[[HttpResponse], V],
    ) -> V:
        """``send`` (with ``If-None-Match`` when an answer is kept), then the value.

        A 304 gives back the value kept; any other answer goes through ``build``,
        and is kept when it carries a well-formed entity tag. A 304 for nothing
        kept is a :class:`BadResponse`.
        """
        kept = self._recent.get(key)
        response = send({"If-None-Match": kept[0]} if kept else None)
        if response.status == 304:
            if kept is None:
                raise BadResponse(f"the desk answered 304 for {key!r}, never fetched")
            return kept[1]
        value = build(response)
        tag = entity_tag(response.headers.get("ETag"))
        if tag:
            self._recent.put(key, (tag, value))
        return value


# --- uploads and photos --------------------------------------------------------------------


def uploads(
    attachments: Sequence[Attachment], field: str
) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Multipart file parts for ``requests``, each under the form field ``field``."""
    return [(field, (a.filename, a.data, a.content_type)) for a in attachments]


def file_body(body: bytes, name: str, max_bytes: int) -> bytes:
    """A downloaded file's bytes, no larger than ``max_bytes``."""
    if len(body) > max_bytes:
        raise BadResponse(f"the file {name[:80]!r} has {len(body)} bytes (at most {max_bytes})")
    return body


#: The largest photo of a person a desk may send (the UI decodes it within its own limits).
MAX_PHOTO_BYTES = 2 * 1024 * 1024


def photo_body(response: HttpResponse, *, max_bytes: int = MAX_PHOTO_BYTES) -> bytes:
    """A photo's bytes: an ``image/*`` body no larger than ``max_bytes``.

    Only the type and size are checked here; the pixels are checked from the
    image's header where it is decoded (``client/ui/photos.py``), off the GUI thread.
    """
    if not response.content_type.startswith("image/"):
        raise BadResponse(f"a photo came as {response.content_type}")
    if len(response.body) > max_bytes:
        raise BadResponse(f"a photo of {len(response.body)} bytes (at most {max_bytes})")
    return response.body
