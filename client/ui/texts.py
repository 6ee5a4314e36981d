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
    "unreachable": QT_TRANSLATE_NOOP(
        "Errors",
        "The service desk can't be reached right now. Check that you are connected to the network.",
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


def _tr(text: object) -> str:
    return QCoreApplication.translate("Errors", str(text))


def stage_label(stage: Stage) -> str:
    """The stage's name in the user's language."""
    return QCoreApplication.translate("Stage", str(_STAGES[stage]))


_KEEP_TRYING = QT_TRANSLATE_NOOP("Errors", "We will keep trying.")
#: Reasons worth trying again for (a certificate or a proxy needs IT first).
_PASSING = ("unreachable", "connection", "timeout", "server_error", "busy")


def error_message(error: ClientError, *, signing_in: bool = False, retrying: bool = False) -> str:
    """A sentence an employee can act on (or pass on to IT); never a traceback.

    ``retrying``: the caller will try again by itself, so say so (the tray's
    status); a one-off command or an attempt that is over must not promise it.
    """
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
        return (
            QCoreApplication.translate("Time", "%1, %2")
            .replace("%1", locale.dayName(date.dayOfWeek()))
            .replace("%2", clock)
        )
    pattern = "d MMM" if local.year == today.year else "d MMM yyyy"
    return locale.toString(date, pattern)
