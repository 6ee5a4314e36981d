"""Words for codes: errors, stages and states as an employee should read them."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale, QTime

from client.core.errors import ClientError, Rejected, Unavailable
from client.core.models import Stage

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
    "connection": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk can't be reached right now. Check that you are connected to the "
        "network; we will keep trying.",
    ),
    "timeout": QT_TRANSLATE_NOOP(
        "Errors", "The service desk is taking too long to answer. We will try again shortly."
    ),
    "tls": QT_TRANSLATE_NOOP(
        "Errors",
        "The connection to the service desk is not trusted: your organisation's certificate is "
        "not trusted on this computer. Please tell your IT department.",
    ),
    "server_error": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk has a problem of its own right now. We will try again shortly.",
    ),
    "busy": QT_TRANSLATE_NOOP(
        "Errors", "The service desk is very busy. We will try again in a moment."
    ),
    "proxy": QT_TRANSLATE_NOOP(
        "Errors",
        "The proxy server on your network did not let us through to the service desk. "
        "Please tell your IT department.",
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
    "keyring_unavailable": QT_TRANSLATE_NOOP(
        "Errors",
        "Your sign-in could not be stored safely on this computer, so you will need to sign "
        "in again next time.",
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


def _tr(text: object) -> str:
    return QCoreApplication.translate("Errors", str(text))


def stage_label(stage: Stage) -> str:
    """The stage's name in the user's language."""
    return QCoreApplication.translate("Stage", str(_STAGES[stage]))


def error_message(error: ClientError, *, signing_in: bool = False) -> str:
    """A sentence an employee can act on (or pass on to IT); never a traceback."""
    if signing_in and error.code in _SIGN_IN:
        return _tr(_SIGN_IN[error.code])
    if isinstance(error, Unavailable) and error.reason in _UNAVAILABLE:
        return _tr(_UNAVAILABLE[error.reason])
    if isinstance(error, Rejected) and error.reason in _REJECTED:
        return _tr(_REJECTED[error.reason])
    if error.code in _ERRORS:
        return _tr(_ERRORS[error.code])
    return QCoreApplication.translate("Errors", "Something went wrong. Please try again.")


def unavailable_message(reason: str | None) -> str:
    """The sentence for a desk that is away, by reason."""
    return _tr(_UNAVAILABLE.get(reason or "connection", _UNAVAILABLE["connection"]))


def moment(when: datetime, now: datetime) -> str:
    """A time the way people say it: "Today, 17:49", "Yesterday, 09:12", "21 Nov"."""
    local, today = when.astimezone(), now.astimezone()
    locale = QLocale()
    clock = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    days = (today.date() - local.date()).days
    if days == 0:
        return QCoreApplication.translate("Time", "Today, %1").replace("%1", clock)
    if days == 1:
        return QCoreApplication.translate("Time", "Yesterday, %1").replace("%1", clock)
    date = QDate(local.year, local.month, local.day)
    if 1 < days < 7:
        return f"{locale.dayName(date.dayOfWeek())}, {clock}"
    pattern = "d MMM" if local.year == today.year else "d MMM yyyy"
    return locale.toString(date, pattern)
