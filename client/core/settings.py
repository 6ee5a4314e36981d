"""Settings: defaults, the layers that override them, and IT's locked keys.

Layers are merged in order (built-in defaults < IT policy < user file <
environment/command line); a key set by a locking layer (the IT policy) can
not be changed by any later layer.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Bump when the meaning or shape of a key changes; the user file is upgraded.
SETTINGS_VERSION = 1

#: Desk kinds this build can talk to.
DESK_KINDS = ("django-helpdesk", "request-tracker", "redmine", "zammad", "topdesk")
#: Desks whose sign-in is a session that ends: the user may keep their password to renew it.
SESSION_DESK_KINDS = frozenset({"request-tracker"})


class SignInSecret(enum.StrEnum):
    """What an employee types to sign in to a kind of desk, besides their user name."""

    #: Their password for the desk.
    PASSWORD = "password"
    #: Their password, or the API key the desk shows them (Redmine).
    PASSWORD_OR_KEY = "password_or_key"
    #: Their password, or a personal access token they made in the desk (Zammad).
    PASSWORD_OR_TOKEN = "password_or_token"
    #: An application password they made in the desk; their own password does not work
    #: for apps (TOPdesk).
    APP_PASSWORD = "app_password"


#: Languages the user interface is translated into ("" follows the system).
LANGUAGES = ("", "en", "nl")


@dataclass(frozen=True)
class Settings:
    """Every setting with its built-in default."""

    desk_kind: str = "django-helpdesk"
    desk_url: str = ""
    desk_username: str = ""
    #: Where new tickets go, for desks that file by queue (Request Tracker); "" for the default.
    desk_queue: str = ""
    language: str = ""
    poll_interval_s: int = 300
    #: How often to ask while the user has no open ticket: nothing is coming soon
    #: (never more often than ``poll_interval_s``; the menu, waking up and the network
    #: coming back still ask at once).
    rare_poll_interval_s: int = 1800
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 120.0
    retries: int = 2
    proxy: str = ""
    max_response_bytes: int = 10 * 1024 * 1024
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_outbox_bytes: int = 500 * 1024 * 1024
    #: Whether a report may carry a screenshot (the user still decides per report).
    allow_screenshots: bool = True
    #: Whether diagnostics name the computer and the signed-in user.
    include_host_name: bool = False
    include_user_name: bool = False
    log_level: str = "INFO"
    #: Whether changes to the user's tickets pop up as desktop notifications.
    notifications_enabled: bool = True
    #: When no notification pops up, e.g. "22:00-07:00" (local time; "" for never).
    quiet_hours: str = ""
    #: How long after start (or waking from sleep) nothing pops up: old news is not news.
    quiet_after_start_s: int = 60
    #: Where IT publishes the signed profile (agents, articles, branding); "" for none.
    profile_url: str = ""
    #: Hours between profile updates (one at start too).
    profile_refresh_hours: int = 6
    #: Days the last verified profile stays fully usable without a new verification.
    profile_max_age_days: int = 7
    #: The user's department as IT knows it (matched against the profile's departments).
    profile_department: str = ""
    profile_my_department: str = ""
    #: Whether agents' photos are shown (off: initials, for the whole organisation).
    profile_photos: bool = True
    #: Whether employees may run IT's self-fixes (off: the kill switch; none runs).
    fixes_enabled: bool = True
    #: Whether the tray checks this computer's health now and then (docs/health.md). Off
    #: unless IT turns it on: with it on, the idle tray after a pass is 1.30× the bare
    #: tray, a hair over the 1.3× budget in the median (docs/performance.md).
    health_enabled: bool = False
    #: How IT hears of a finding that persists: "ask" the employee, "auto", or "never".
    health_tell_it: str = "ask"
    #: Minutes between health passes.
    health_interval_min: int = 15
    #: Whether the tray starts when the user logs in (the installers start it for
    #: everyone; a user who turns it off is left out, unless IT set it).
    autostart: bool = True


#: Hosts a plain-http desk address may name: the same computer (the demo desk).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def desk_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable desk address (an error code), or ``None``.

    Only https carries a password and a token safely; plain http is accepted
    for this computer alone (the demo desk). An address with a user name or
    password in it would end up in settings files and logs.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return "url_invalid"
    if parts.scheme not in ("http", "https") or not host:
        return "url_invalid"
    if parts.username or parts.password:
        return "url_has_credentials"
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return "url_not_https"
    return None


_QUIET_HOURS = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*")


def quiet_hours_span(text: str) -> tuple[int, int] | None:
    """``"22:00-07:00"`` as minutes after midnight, ``(1320, 420)``; ``None`` for no span.

    The span may cross midnight; the start is inside it, the end is not. An
    empty, malformed or zero-length text is no span.
    """
    match = _QUIET_HOURS.fullmatch(text)
    if match is None:
        return None
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if max(start_h, end_h) > 23 or max(start_m, end_m) > 59:
        return None
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    return None if start == end else (start, end)


def in_quiet_hours(span: tuple[int, int] | None, minute_of_day: int) -> bool:
    """Whether ``minute_of_day`` (0-1439, local time) falls in ``span``."""
    if span is None:
        return False
    start, end = span
    if start < end:
        return start <= minute_of_day < end
    return minute_of_day >= start or minute_of_day < end  # crosses midnight


def _is_quiet_hours(value: object) -> bool:
    return value == "" or (isinstance(value, str) and quiet_hours_span(value) is not None)


def _is_desk_url(value: object) -> bool:
    return value == "" or (isinstance(value, str) and desk_url_problem(value) is None)


def _is_url(schemes: Sequence[str]) -> Callable[[object], bool]:
    def valid(value: object) -> bool:
        if not isinstance(value, str):
            return False
        if value == "":
            return True
        parts = urlsplit(value)
        return parts.scheme in schemes and bool(parts.hostname)

    return valid


def _one_of(choices: Sequence[str]) -> Callable[[object], bool]:
    return lambda value: value in choices


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _int_between(low: int, high: int) -> Callable[[object], bool]:
    return lambda value: (
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    )


def _number_between(low: float, high: float) -> Callable[[object], bool]:
    return lambda value: (
        isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    )


@dataclass(frozen=True)
class _Key:
    field: str
    valid: Callable[[object], bool]
    #: What the key means, for IT (the admin guide's table and the Group Policy
    #: template are made from it).
    doc: str = ""


#: The file keys (``section.name``), the field each sets and what is valid.
KEYS: Mapping[str, _Key] = {
    "desk.kind": _Key(
        "desk_kind",
        _one_of(DESK_KINDS),
        doc="The kind of service desk: django-helpdesk, request-tracker, redmine, zammad, topdesk.",
    ),
    "desk.url": _Key(
        "desk_url",
        _is_desk_url,
        doc="The address employees reach the desk at (https; plain http only on this computer).",
    ),
    "desk.username": _Key(
        "desk_username",
        lambda v: isinstance(v, str) and len(v) <= 200,
        doc="The employee's user name at the desk (kept per user; IT rarely sets it).",
    ),
    "desk.queue": _Key(
        "desk_queue",
        lambda v: isinstance(v, str) and len(v) <= 200,
        doc="Where new tickets go: RT's queue, Redmine's project, Zammad's or TOPdesk's group.",
    ),
    "ui.language": _Key(
        "language",
        _one_of(LANGUAGES),
        doc="The language of the tray: empty follows the computer, or nl or en.",
    ),
    "network.poll_interval_s": _Key(
        "poll_interval_s",
        _int_between(60, 24 * 3600),
        doc="Seconds between asking the desk what changed while a ticket is open.",
    ),
    "network.rare_poll_interval_s": _Key(
        "rare_poll_interval_s",
        _int_between(60, 24 * 3600),
        doc="Seconds between asking while nothing is open (never shorter than the above).",
    ),
    "network.connect_timeout_s": _Key(
        "connect_timeout_s",
        _number_between(0.5, 120),
        doc="Seconds to wait for a connection to the desk.",
    ),
    "network.read_timeout_s": _Key(
        "read_timeout_s",
        _number_between(1, 600),
        doc="Seconds to wait for the desk to say something.",
    ),
    "network.total_timeout_s": _Key(
        "total_timeout_s",
        _number_between(5, 3600),
        doc="The longest one answer may take, however steadily it arrives (seconds).",
    ),
    "network.retries": _Key(
        "retries",
        _int_between(0, 5),
        doc="Extra attempts for a read that failed on a flaky network.",
    ),
    "network.proxy": _Key(
        "proxy",
        _is_url(("http", "https")),
        doc="A proxy for all traffic to the desk; empty uses the system's proxy settings.",
    ),
    "network.max_response_bytes": _Key(
        "max_response_bytes",
        _int_between(64 * 1024, 1 << 30),
        doc="The largest answer the tray reads from the desk (bytes).",
    ),
    "reports.max_attachment_bytes": _Key(
        "max_attachment_bytes",
        _int_between(0, 1 << 30),
        doc="The largest file a report may carry (bytes).",
    ),
    "reports.max_outbox_bytes": _Key(
        "max_outbox_bytes",
        _int_between(16 << 20, 64 << 30),
        doc="The most the reports waiting to be sent may take on disk (bytes).",
    ),
    "reports.screenshots": _Key(
        "allow_screenshots",
        _is_bool,
        doc="Whether a report may carry a screenshot (the employee still decides per report).",
    ),
    "diagnostics.host_name": _Key(
        "include_host_name",
        _is_bool,
        doc="Whether the diagnostics name the computer.",
    ),
    "diagnostics.user_name": _Key(
        "include_user_name",
        _is_bool,
        doc="Whether the diagnostics name the signed-in user.",
    ),
    "logging.level": _Key(
        "log_level",
        _one_of(("DEBUG", "INFO", "WARNING", "ERROR")),
        doc="How much the log says: DEBUG, INFO, WARNING or ERROR.",
    ),
    "notifications.enabled": _Key(
        "notifications_enabled",
        _is_bool,
        doc="Whether changes to an employee's tickets pop up as desktop notifications.",
    ),
    "notifications.quiet_hours": _Key(
        "quiet_hours",
        _is_quiet_hours,
        doc="When nothing pops up, e.g. 22:00-07:00 (local time; empty for never).",
    ),
    "notifications.quiet_after_start_s": _Key(
        "quiet_after_start_s",
        _int_between(0, 3600),
        doc="Seconds after start or waking up in which nothing pops up.",
    ),
    "profile.url": _Key(
        "profile_url",
        _is_desk_url,
        doc="Where IT publishes the signed profile (agents, fixes, articles); empty for none.",
    ),
    "profile.refresh_hours": _Key(
        "profile_refresh_hours",
        _int_between(1, 7 * 24),
        doc="Hours between profile updates (one at start too).",
    ),
    "profile.max_age_days": _Key(
        "profile_max_age_days",
        _int_between(1, 365),
        doc="Days the last verified profile stays usable without a new verification.",
    ),
    "profile.department": _Key(
        "profile_department",
        lambda v: isinstance(v, str) and len(v) <= 100,
        doc="The employee's department as IT names it (matched against the profile's departments).",
    ),
    "profile.photos": _Key(
        "profile_photos",
        _is_bool,
        doc="Whether agents' photos are shown (off: initials, for the whole organisation).",
    ),
    "fixes.enabled": _Key(
        "fixes_enabled",
        _is_bool,
        doc="Whether employees may run IT's self-fixes (off: none runs).",
    ),
    "health.enabled": _Key(
        "health_enabled",
        _is_bool,
        doc="Whether the tray checks the computer's health now and then and offers fixes.",
    ),
    "health.tell_it": _Key(
        "health_tell_it",
        _one_of(("ask", "auto", "never")),
        doc="How IT hears of a problem that persists: ask the employee, auto, or never.",
    ),
    "health.interval_min": _Key(
        "health_interval_min",
        _int_between(5, 24 * 60),
        doc="Minutes between health checks.",
    ),
    "startup.autostart": _Key(
        "autostart",
        _is_bool,
        doc="Whether the tray starts at log-in (employees may turn it off unless IT sets it).",
    ),
    # The employee's own choice of department (an id of the profile), kept in their file.
    "profile.my_department": _Key(
        "profile_my_department",
        lambda v: isinstance(v, str) and len(v) <= 64,
        doc="The employee's own choice of department (kept in their own file; not for IT).",
    ),
}


@dataclass(frozen=True)
class SettingsLayer:
    """One source of settings: its name (for messages), flat values, whether it locks."""

    name: str
    values: Mapping[str, object]
    locks: bool = False


#: How a problem ends when a later layer set a key IT locked: expected, not an error
#: (a user's file keeps the address saved at sign-in after IT set one, say).
OVERRIDDEN = "is set by IT policy; ignored"


@dataclass(frozen=True)
class MergeResult:
    """The merged settings, the keys IT locked, and what was ignored and why."""

    settings: Settings
    locked: frozenset[str]
    problems: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[str, ...]:
        """The problems that are mistakes in a file or a Group Policy value (not overrides)."""
        return tuple(p for p in self.problems if not p.endswith(OVERRIDDEN))


def flatten(tree: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """``{"desk": {"url": u}}`` → ``{"desk.url": u}`` (the shape of a TOML file)."""
    flat: dict[str, object] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def unflatten(flat: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """The inverse of :func:`flatten` for our two-level keys."""
    tree: dict[str, dict[str, object]] = {}
    for key, value in flat.items():
        section, _, name = key.partition(".")
        tree.setdefault(section, {})[name] = value
    return tree


def merge(layers: Sequence[SettingsLayer]) -> MergeResult:
    """Apply ``layers`` in order over the defaults, honouring locked keys."""
    values: dict[str, object] = {}
    locked: set[str] = set()
    problems: list[str] = []
    for layer in layers:
        for key, value in layer.values.items():
            spec = KEYS.get(key)
            if spec is None:
                problems.append(f"{layer.name}: unknown setting {key!r} ignored")
                continue
            if key in locked:
                problems.append(f"{layer.name}: {key!r} {OVERRIDDEN}")
                continue
            seconds = isinstance(getattr(Settings(), spec.field), float)
            if seconds and isinstance(value, int) and not isinstance(value, bool):  # true is no 1
                value = float(value)
            if not spec.valid(value):
                problems.append(f"{layer.name}: invalid value {value!r} for {key!r} ignored")
                continue
            values[spec.field] = value
            if layer.locks:
                locked.add(key)
    settings = dataclasses.replace(Settings(), **values)  # type: ignore[arg-type]
    return MergeResult(settings, frozenset(locked), tuple(problems))
