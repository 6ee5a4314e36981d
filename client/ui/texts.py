"""Words for codes: errors, stages and states as an employee should read them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale, QTime

from client.core.diagnostics import Fact, facts
from client.core.errors import ClientError, Forbidden, Rejected, Unavailable
from client.core.models import Stage
from client.core.outbox import OutboxItem, WaitingFor

_STAGES = {
    Stage.RECEIVED: QT_TRANSLATE_NOOP("Stage", "Received"),
    Stage.ASSIGNED: QT_TRANSLATE_NOOP("Stage", "Assigned"),
    Stage.IN_PROGRESS: QT_TRANSLATE_NOOP("Stage", "In progress"),
    Stage.WAITING_ON_YOU: QT_TRANSLATE_NOOP("Stage", "Waiting for you"),
    Stage.RESOLVED: QT_TRANSLATE_NOOP("Stage", "Resolved"),
    Stage.CLOSED: QT_TRANSLATE_NOOP("Stage", "Closed"),
    Stage.CANCELLED: QT_TRANSLATE_NOOP("Stage", "Cancelled"),
}

_UNAVAILABLE = {
    "unreachable": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk can't be reached right now. Check that you are connected to the network.",
    ),
    "refused": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk's server is not taking connections right now. Your network is "
        "fine: the server may be down for maintenance.",
    ),
    "connection": QT_TRANSLATE_NOOP(
        "Errors",
        "The connection to the service desk was interrupted.",
    ),
    "timeout": QT_TRANSLATE_NOOP("Errors", "The service desk is taking too long to answer."),
    "tls": QT_TRANSLATE_NOOP(
        "Errors",
        "The connection to the service desk is not trusted: your organisation's certificate is "
        "not trusted on this computer. Please tell your IT department.",
    ),
    "server_error": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk has a problem of its own right now.",
    ),
    "busy": QT_TRANSLATE_NOOP("Errors", "The service desk is very busy right now."),
    "proxy": QT_TRANSLATE_NOOP(
        "Errors",
        "The proxy server on your network did not let us through to the service desk. "
        "Please tell your IT department.",
    ),
    "redirected": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk's address sends this app on to another server, and the app does "
        "not follow with your sign-in or your text. Nothing you wrote is lost. Please tell "
        "your IT department: the app must be set to the service desk's final address.",
    ),
}

_REJECTED = {
    "too_large": QT_TRANSLATE_NOOP(
        "Errors", "The service desk does not accept attachments this large."
    ),
    "no_queue": QT_TRANSLATE_NOOP(
        "Errors",
        "Your account is not linked to a department at the service desk yet. "
        "Please tell your IT department.",
    ),
}

_FORBIDDEN = {
    "csrf": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk refuses changes sent from this app at the address it was given. "
        "Nothing you wrote is lost. Please tell your IT department: the desk address must be "
        "one the service desk accepts (for Request Tracker: its allowed referrers).",
    ),
}

_ERRORS = {
    "auth_failed": QT_TRANSLATE_NOOP(
        "Errors", "Your sign-in is no longer valid. Please sign in again."
    ),
    "forbidden": QT_TRANSLATE_NOOP(
        "Errors", "The service desk does not allow this for your account."
    ),
    "not_found": QT_TRANSLATE_NOOP(
        "Errors", "This ticket can't be found. It may have been moved or removed."
    ),
    "rejected": QT_TRANSLATE_NOOP("Errors", "The service desk refused this request."),
    "bad_response": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk sent an answer we do not understand. Please try again later; "
        "if it keeps happening, tell your IT department.",
    ),
    "not_configured": QT_TRANSLATE_NOOP(
        "Errors", "This app is not connected to your service desk yet. Please sign in first."
    ),
    "disk_full": QT_TRANSLATE_NOOP(
        "Errors",
        "Your report could not be saved on this computer because its disk is full (or the "
        "reports waiting to be sent already take all the room allowed). Free some space and "
        "try again, or call the service desk.",
    ),
    "store_failed": QT_TRANSLATE_NOOP(
        "Errors",
        "Your report could not be saved on this computer. Please try again; if it keeps "
        "happening, call the service desk.",
    ),
    "being_sent": QT_TRANSLATE_NOOP(
        "Errors",
        "This report is being sent right now, so it can no longer be changed or deleted.",
    ),
    "already_sent": QT_TRANSLATE_NOOP(
        "Errors", "This report has already reached the service desk; you can see it in your list."
    ),
    "maybe_sent": QT_TRANSLATE_NOOP(
        "Errors",
        "This report may already have reached the service desk, so it can no longer be changed.",
    ),
    "file_missing": QT_TRANSLATE_NOOP("Errors", "This file is no longer there."),
    "file_is_folder": QT_TRANSLATE_NOOP(
        "Errors", "This is a folder. Please add the files in it one by one, or as a zip file."
    ),
    "file_not_regular": QT_TRANSLATE_NOOP(
        "Errors", "This is not an ordinary file (a device or a connection), so it can't be sent."
    ),
    "file_unreadable": QT_TRANSLATE_NOOP(
        "Errors", "This file can't be read. You may not have permission to open it."
    ),
    "file_too_large": QT_TRANSLATE_NOOP(
        "Errors", "This file is too large: together, the files of a report may not be larger."
    ),
    "keyring_unavailable": QT_TRANSLATE_NOOP(
        "Errors",
        "Your sign-in could not be stored safely on this computer, so you will need to sign "
        "in again next time.",
    ),
    "url_invalid": QT_TRANSLATE_NOOP(
        "Errors", "Please enter the service desk's address, starting with https://"
    ),
    "url_not_https": QT_TRANSLATE_NOOP(
        "Errors",
        "The address must start with https://, so that your password travels safely.",
    ),
    "url_has_credentials": QT_TRANSLATE_NOOP(
        "Errors",
        "Please enter the address without a user name or password in it; you sign in below.",
    ),
    "subject_missing": QT_TRANSLATE_NOOP(
        "Errors", "Please say in a few words what the problem is."
    ),
    "subject_too_long": QT_TRANSLATE_NOOP(
        "Errors",
        "Please keep the subject short (200 characters at most) and put the details in the "
        "description.",
    ),
    "attachments_too_large": QT_TRANSLATE_NOOP(
        "Errors", "The attached files are too large together."
    ),
}

_SIGN_IN = {
    "auth_failed": QT_TRANSLATE_NOOP("Errors", "The user name or password is not right."),
    "bad_response": QT_TRANSLATE_NOOP(
        "Errors",
        "There is no service desk at this address, or it does not support this app. "
        "Please check the address.",
    ),
    "not_found": QT_TRANSLATE_NOOP(
        "Errors",
        "There is no service desk at this address, or it does not support this app. "
        "Please check the address.",
    ),
}


_FACTS = {
    "disk_free": QT_TRANSLATE_NOOP("Diagnostics", "Disk %1: %2 % free"),
    "memory_used": QT_TRANSLATE_NOOP("Diagnostics", "memory %1 % used"),
    "swap_used": QT_TRANSLATE_NOOP("Diagnostics", "swap %1 % used"),
    "cpu_busy": QT_TRANSLATE_NOOP("Diagnostics", "processor %1 % busy"),
    "battery_low": QT_TRANSLATE_NOOP("Diagnostics", "battery %1 %, not charging"),
    "uptime_days": QT_TRANSLATE_NOOP("Diagnostics", "not restarted for %1 days"),
    "desk_reachable": QT_TRANSLATE_NOOP("Diagnostics", "service desk reachable in %1 ms"),
    "desk_unreachable": QT_TRANSLATE_NOOP("Diagnostics", "service desk NOT reachable (%1)"),
}
#: The order of each fact's values in its sentence (%1, %2, ...).
_FACT_VALUES = {"disk_free": ("mount", "percent"), "desk_unreachable": ("problem",)}

#: Why the service desk could not be reached, as the desk probe says it (the rest, the
#: system's own words after "unreachable: ", is shown as it is).
_DESK_PROBLEMS = {
    "refused": QT_TRANSLATE_NOOP("Diagnostics", "connection refused"),
    "timeout": QT_TRANSLATE_NOOP("Diagnostics", "no answer in time"),
    "no_address": QT_TRANSLATE_NOOP("Diagnostics", "name not found"),
}


def desk_problem(code: str) -> str:
    """Why the desk could not be reached, in the user's language where we know the words."""
    words = _DESK_PROBLEMS.get(code)
    return QCoreApplication.translate("Diagnostics", str(words)) if words else code


_REFUSED = {
    "file_type": QT_TRANSLATE_NOOP("Errors", "the service desk does not accept this type of file"),
    "too_large": QT_TRANSLATE_NOOP("Errors", "too large for the service desk"),
}


#: Why a report waits for a refusal of who we are to be fixed: the short line, for the first day.
_WAITING = {
    WaitingFor.SIGN_IN: QT_TRANSLATE_NOOP("Outbox", "Will be sent after you sign in again."),
    WaitingFor.RIGHTS: QT_TRANSLATE_NOOP(
        "Outbox",
        "Waiting: the service desk does not allow your account to file tickets. It will be "
        "sent as soon as it does.",
    ),
    WaitingFor.REQUEST_RULE: QT_TRANSLATE_NOOP(
        "Outbox",
        "Waiting: the service desk refuses requests from this app. It will be sent as soon as "
        "it accepts them.",
    ),
    WaitingFor.SETUP: QT_TRANSLATE_NOOP(
        "Outbox",
        "Waiting: the service desk has nowhere to file it. It will be sent as soon as that is "
        "set up.",
    ),
}
#: After a day of waiting: what IT must do (%1: the day the wait began).
_ASK_IT = {
    WaitingFor.SIGN_IN: QT_TRANSLATE_NOOP(
        "Outbox",
        "Your report has been waiting since %1 because you are signed out of the service desk. "
        "Please sign in again; if the service desk keeps refusing your sign-in, ask your IT "
        "department to check your account.",
    ),
    WaitingFor.RIGHTS: QT_TRANSLATE_NOOP(
        "Outbox",
        "Your report has been waiting since %1 because the service desk does not allow your "
        "account to file tickets. Ask your IT department to give your account the right to "
        "create tickets in the service desk.",
    ),
    WaitingFor.REQUEST_RULE: QT_TRANSLATE_NOOP(
        "Outbox",
        "Your report has been waiting since %1 because the service desk refuses requests from "
        "this app. Ask your IT department to let the service desk accept them, or to update "
        "this app (IT: see this app's Request Tracker guide, on allowed referrers and the "
        "desk address).",
    ),
    WaitingFor.SETUP: QT_TRANSLATE_NOOP(
        "Outbox",
        "Your report has been waiting since %1 because the service desk has nowhere to file "
        "it. Ask your IT department to check the service desk address and queue set up for "
        "this app, and that your account may see that queue.",
    ),
}
_DESK_SAID = QT_TRANSLATE_NOOP("Outbox", "The service desk said: “%1”")


_PLACE = re.compile(r"%([1-9])")


def fill(template: str, *values: object) -> str:
    """``template`` with %1, %2, ... replaced by ``values`` in one pass.

    One pass, so a value that itself contains "%2" (a file name, a mount
    point) stays as it is instead of being filled in again.
    """
    return _PLACE.sub(
        lambda m: str(values[int(m[1]) - 1]) if int(m[1]) <= len(values) else m[0], template
    )


def diagnostics_summary(facts: Sequence[Fact]) -> str:
    """The diagnostics' first lines for the agent, e.g. "Disk /: 3 % free · memory 92 % used"."""
    parts = []
    for fact in facts:
        if fact.code not in _FACTS:
            continue
        text = QCoreApplication.translate("Diagnostics", str(_FACTS[fact.code]))
        names = _FACT_VALUES.get(fact.code) or tuple(fact.values)
        values = [fact.values.get(name, "") for name in names]
        if fact.code == "desk_unreachable":
            values = [desk_problem(str(values[0]))]
        parts.append(fill(text, *values))
    return " · ".join(parts)


def file_problem(error: ClientError, limit: int) -> str:
    """Why a file the user chose was not added (``error.detail``: its name).

    ``limit``: how large the files of one report may be together.
    """
    if error.code == "file_too_large":
        why = fill(
            QCoreApplication.translate(
                "Errors",
                "This file is too large: the files of a report may be %1 together at most.",
            ),
            data_size(limit),
        )
    else:
        why = error_message(error)
    return fill(QCoreApplication.translate("Errors", "“%1”: %2"), error.detail, why)


def refused_files(refused: Sequence[tuple[str, str]]) -> str:
    """The files the desk would not take with a report, one line each ("" when none)."""
    if not refused:
        return ""
    lines = [QCoreApplication.translate("Errors", "These files were not sent with it:")]
    lines += [fill("• %1: %2", name, refusal(why)) for name, why in refused]
    return "\n".join(lines)


def refusal(reason: str) -> str:
    """Why the desk would not take an attachment, in words."""
    return _tr(_REFUSED.get(reason, _REFUSED["file_type"]))


def data_size(size: int) -> str:
    """A file size the way people read it: "118 KB", "1.2 MB"."""
    return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def _tr(text: object) -> str:
    return QCoreApplication.translate("Errors", str(text))


def stage_label(stage: Stage) -> str:
    """The stage's name in the user's language."""
    return QCoreApplication.translate("Stage", str(_STAGES[stage]))


_KEEP_TRYING = QT_TRANSLATE_NOOP("Errors", "We will keep trying.")
#: Reasons worth trying again for (a certificate or a proxy needs IT first).
_PASSING = ("unreachable", "refused", "connection", "timeout", "server_error", "busy")


def error_message(error: ClientError, *, signing_in: bool = False, retrying: bool = False) -> str:
    """A sentence an employee can act on (or pass on to IT); never a traceback.

    ``retrying``: the caller will try again by itself, so say so (the tray's
    status); a one-off command or an attempt that is over must not promise it.
    """
    if isinstance(error, Forbidden) and error.reason in _FORBIDDEN:
        return _tr(_FORBIDDEN[error.reason])
    if signing_in and error.code in _SIGN_IN:
        return _tr(_SIGN_IN[error.code])
    if isinstance(error, Unavailable) and error.reason in _UNAVAILABLE:
        text = _tr(_UNAVAILABLE[error.reason])
        if retrying and error.reason in _PASSING:
            text += " " + _tr(_KEEP_TRYING)
        return text
    if isinstance(error, Rejected) and error.reason in _REJECTED:
        return _tr(_REJECTED[error.reason])
    if error.code in _ERRORS:
        return _tr(_ERRORS[error.code])
    return QCoreApplication.translate("Errors", "Something went wrong. Please try again.")


def unavailable_message(reason: str | None, *, retrying: bool = True) -> str:
    """The sentence for a desk that is away, by reason."""
    return error_message(Unavailable(reason=reason or "unreachable"), retrying=retrying)


def error_from(code: str | None, reason: str | None) -> ClientError:
    """An error rebuilt from a stored code and reason (tray status, outbox items)."""
    if code == "rejected":
        return Rejected(reason=reason or "")
    if code == "unavailable":
        return Unavailable(reason=reason or "unreachable")
    error = ClientError()
    error.code = code or "error"
    return error


def status_message(code: str | None, reason: str | None) -> str:
    """Why the desk cannot be used right now, for the tray and the tickets window."""
    return error_message(error_from(code, reason), retrying=True)


def waiting_reason(item: OutboxItem, now: datetime) -> str | None:
    """Why a report waits for a refusal of who we are to be fixed (``None`` when it does not).

    The first day a short reason; after that, since when and what IT must do.
    The desk's own words follow on a line of their own, for IT.
    """
    cause = item.waiting_for
    if cause is None and item.error_code == "auth_failed":
        cause = WaitingFor.SIGN_IN  # stored by a version that did not keep the cause
    if cause is None or not item.state.waiting:
        return None
    translate = QCoreApplication.translate
    if item.tell_it(now.timestamp()) and item.waiting_since is not None:
        since = datetime.fromtimestamp(item.waiting_since, now.tzinfo)
        text = fill(translate("Outbox", str(_ASK_IT[cause])), day(since, now))
    else:
        text = translate("Outbox", str(_WAITING[cause]))
    if item.desk_message:
        text += "\n" + fill(translate("Outbox", str(_DESK_SAID)), item.desk_message)
    return text


def day(when: datetime, now: datetime) -> str:
    """A day as people write it in a sentence: "2 November" (with the year when not this one)."""
    local, today = when.astimezone(), now.astimezone()
    pattern = "d MMMM" if local.year == today.year else "d MMMM yyyy"
    return QLocale().toString(QDate(local.year, local.month, local.day), pattern)


def moment(when: datetime, now: datetime) -> str:
    """A time the way people say it: "Today, 17:49", "Yesterday, 09:12", "21 Nov".

    Also ahead: "Tomorrow, 09:00", "Friday, 12:00", "2 Dec, 10:00".
    """
    local, today = when.astimezone(), now.astimezone()
    locale = QLocale()
    clock = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    days = (today.date() - local.date()).days
    if days == 0:
        return QCoreApplication.translate("Time", "Today, %1").replace("%1", clock)
    if days == 1:
        return QCoreApplication.translate("Time", "Yesterday, %1").replace("%1", clock)
    if days == -1:
        return QCoreApplication.translate("Time", "Tomorrow, %1").replace("%1", clock)
    date = QDate(local.year, local.month, local.day)
    if 1 < abs(days) < 7:
        return (
            QCoreApplication.translate("Time", "%1, %2")
            .replace("%1", locale.dayName(date.dayOfWeek()))
            .replace("%2", clock)
        )
    pattern = "d MMM" if local.year == today.year else "d MMM yyyy"
    if days < 0:  # a time ahead needs its hour
        return (
            QCoreApplication.translate("Time", "%1, %2")
            .replace("%1", locale.toString(date, pattern))
            .replace("%2", clock)
        )
    return locale.toString(date, pattern)


_NEXT = {
    Stage.RECEIVED: QT_TRANSLATE_NOOP(
        "Tracker", "The service desk has your report. Someone will pick it up soon."
    ),
    Stage.ASSIGNED: QT_TRANSLATE_NOOP(
        "Tracker", "%1 has picked up your ticket and will look into it."
    ),
    Stage.IN_PROGRESS: QT_TRANSLATE_NOOP(
        "Tracker", "%1 is working on it. You will hear from us as soon as there is news."
    ),
    Stage.WAITING_ON_YOU: QT_TRANSLATE_NOOP(
        "Tracker",
        "The service desk needs something from you: read the latest message and answer below.",
    ),
    Stage.RESOLVED: QT_TRANSLATE_NOOP(
        "Tracker",
        "The service desk thinks it is solved. Is it? Say so, or tell us it is still broken.",
    ),
    Stage.CLOSED: QT_TRANSLATE_NOOP(
        "Tracker", "This ticket is closed. If the problem comes back, you can reopen it."
    ),
    Stage.CANCELLED: QT_TRANSLATE_NOOP(
        "Tracker", "This ticket was withdrawn at the service desk. Nothing more will happen."
    ),
}
_NO_AGENT = QT_TRANSLATE_NOOP("Tracker", "Someone at the service desk")
#: Waiting for the employee, who has answered already (the last message is theirs).
_ANSWERED = QT_TRANSLATE_NOOP(
    "Tracker", "The service desk has your answer. %1 will take it from here."
)


def next_step(stage: Stage, agent: str = "", answered: bool = False) -> str:
    """One plain line under the current stage: what happens next (``agent``: who has it).

    ``answered``: the employee has answered since the desk asked (the last message is
    theirs); waiting for them is then over as far as they are concerned.
    """
    who = agent or QCoreApplication.translate("Tracker", str(_NO_AGENT))
    template = _ANSWERED if stage is Stage.WAITING_ON_YOU and answered else _NEXT[stage]
    return fill(QCoreApplication.translate("Tracker", str(template)), who)


def duration(span: timedelta) -> str:
    """A stretch of time as people say it: "45 minutes", "3 hours", "2 days"."""
    translate = QCoreApplication.translate
    minutes = max(int(span.total_seconds() // 60), 1)
    hours, days = round(minutes / 60), round(minutes / 1440)
    if minutes < 60:
        amount, one, many = minutes, translate("Time", "1 minute"), translate("Time", "%1 minutes")
    elif hours < 48:
        amount, one, many = hours, translate("Time", "1 hour"), translate("Time", "%1 hours")
    else:
        amount, one, many = days, translate("Time", "1 day"), translate("Time", "%1 days")
    return one if amount == 1 else fill(many, amount)


def diagnostics_text(document: Mapping[str, Any]) -> str:
    """The whole snapshot in words, for ``helpdesk-tray diagnose`` (IT staff on the phone)."""
    translate = QCoreApplication.translate
    lines = [
        translate("Diagnostics", "Diagnostics of this computer, %1").replace(
            "%1", document["taken_at"]
        ),
        diagnostics_summary(facts(document)),
        "",
    ]
    system = document.get("os") or {}
    computer = document.get("computer") or {}
    name = system.get("name") or f"{system.get('system', '')} {system.get('release', '')}"
    lines.append(translate("Diagnostics", "System: %1").replace("%1", name.strip()))
    model = " ".join(v for v in (computer.get("vendor"), computer.get("model")) if v)
    names = (
        ("host_name", QT_TRANSLATE_NOOP("Diagnostics", "Computer name: %1")),
        ("user_name", QT_TRANSLATE_NOOP("Diagnostics", "User: %1")),
    )
    for key, label in names:
        if computer.get(key):
            lines.append(translate("Diagnostics", str(label)).replace("%1", computer[key]))
    if model:
        lines.append(translate("Diagnostics", "Model: %1").replace("%1", model))
    if document.get("uptime_s") is not None:
        hours = document["uptime_s"] / 3600
        running = translate("Diagnostics", "Running for: %1 hours")
        lines.append(running.replace("%1", f"{hours:.1f}"))
    memory = document.get("memory")
    if memory:
        lines.append(
            fill(
                translate("Diagnostics", "Memory: %1, %2 % used; swap %3 % used"),
                data_size(memory["total_bytes"]),
                f"{memory['used_percent']:.0f}",
                f"{memory['swap_used_percent']:.0f}",
            )
        )
    for disk in document.get("disks", []):
        free = 100 * disk["free_bytes"] / max(disk["total_bytes"], 1)
        lines.append(
            fill(
                translate("Diagnostics", "Disk %1: %2 % free of %3"),
                disk["mount"],
                f"{free:.0f}",
                data_size(disk["total_bytes"]),
            )
        )
    network = document.get("network") or {}
    for interface in network.get("interfaces", []):
        up = interface["up"]
        state = translate("Diagnostics", "up") if up else translate("Diagnostics", "down")
        addresses = ", ".join(a["address"] for a in interface["addresses"]) or "-"
        lines.append(f"  {interface['name']} ({state}): {addresses}")
    proxy = network.get("proxy")
    if proxy:
        lines.append(translate("Diagnostics", "Proxy: %1").replace("%1", proxy["url"]))
    desk = network.get("desk")
    if desk and desk["host"]:
        timings = ("-" if desk[key] is None else f"{desk[key]:.0f}" for key in ("dns_ms", "tcp_ms"))
        line = translate("Diagnostics", "Service desk %1:%2: name lookup %3 ms, connection %4 ms")
        if not desk["reachable"]:
            line = translate(
                "Diagnostics",
                "Service desk %1:%2: name lookup %3 ms, connection %4 ms, not reachable (%5)",
            )
        problem = desk_problem(desk["problem"] or "")
        lines.append(fill(line, desk["host"], desk["port"], *timings, problem))
    processes = document.get("processes")
    if processes and processes["by_cpu"]:
        lines.append(translate("Diagnostics", "Busiest programs:"))
        lines += [
            f"  {p['cpu_percent']:>6.1f} %  {data_size(p['memory_bytes']):>10}  {p['name']}"
            for p in processes["by_cpu"][:5]
        ]
    for note in document.get("notes", []):
        lines.append(
            fill(translate("Diagnostics", "Left out: %1 (%2)"), note["item"], note["problem"])
        )
    return "\n".join(lines)
