"""The error tree: core and adapters raise these; the UI maps ``code`` to words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ClientError(Exception):
    """Base of every error the client shows to a user.

    ``code`` is stable and machine-readable; the UI maps it to a translated
    sentence. ``detail`` is for the log, never shown raw to an employee.
    """

    code = "error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


def as_client_error(error: Exception) -> ClientError:
    """``error`` as one the UI can put in words; anything else (a bug of ours) becomes generic."""
    if isinstance(error, ClientError):
        return error
    wrapped = ClientError(f"{type(error).__name__}: {error}")
    wrapped.__cause__ = error
    return wrapped


class ValidationError(ClientError):
    """Something the user entered is missing or wrong; ``field`` says what."""

    code = "invalid"

    def __init__(self, code: str, field: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.field = field


class ConfigurationError(ClientError):
    """The client is not set up well enough to talk to a desk."""

    code = "not_configured"


class DeskError(ClientError):
    """The service desk could not do what was asked."""

    code = "desk_error"


class AuthFailed(DeskError):
    """The credential is wrong, expired or revoked: the user must sign in again."""

    code = "auth_failed"


class Forbidden(DeskError):
    """The desk knows who we are and refuses: not a verdict on what was sent.

    ``reason`` says why, when the desk made it clear: ``"rights"`` (the user may not
    do this) or ``"csrf"`` (the desk refuses requests of this kind from the tray's
    address: a desk setting IT must change, such as Request Tracker's allowed
    referrers); ``""`` when it did not say.
    """

    code = "forbidden"

    def __init__(self, detail: str = "", reason: str = "") -> None:
        super().__init__(detail)
        self.reason = reason


class NotFound(DeskError):
    """The ticket (or thing) does not exist, or the user may not see it."""

    code = "not_found"


class Rejected(DeskError):
    """The desk refused the request as it stands; sending it again will not help.

    ``reason`` is the desk's short reason code (for example ``too_large``).
    """

    code = "rejected"

    def __init__(
        self,
        detail: str = "",
        reason: str = "",
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        #: The desk's complaints per field, when it gave them.
        self.fields: Mapping[str, Sequence[str]] = fields or {}


class AttachmentRefused(Rejected):
    """The desk refused attachments, not the report: ``reason`` is ``file_type`` or ``too_large``.

    ``filenames`` names the refused files when the desk said which (else empty:
    the whole upload was too large).
    """

    def __init__(self, detail: str = "", reason: str = "", filenames: tuple[str, ...] = ()) -> None:
        super().__init__(detail, reason)
        self.filenames = filenames


class QueueRefused(Rejected):
    """The desk refused the queue a report was meant for (unknown, or closed to the user).

    Nothing was created: the report itself may go to the desk's default queue.
    """


class Unavailable(DeskError):
    """The desk cannot be reached or is not answering properly right now.

    ``reason`` is one of :data:`UNAVAILABLE_REASONS`; ``retry_after`` is the
    number of seconds the desk asked us to wait, when it said so.
    """

    code = "unavailable"

    def __init__(
        self, detail: str = "", reason: str = "connection", retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.retry_after = retry_after


#: Why a desk may be unavailable; the UI has a sentence for each.
#: ``unreachable``: no connection could be made (the request never left);
#: ``connection``: the connection broke after the request may have arrived;
#: ``redirected``: the desk's address sends us to another server (nothing was sent there).
UNAVAILABLE_REASONS = (
    "unreachable",
    "refused",  # the network works: the desk's server turned the connection away
    "connection",
    "timeout",
    "tls",
    "server_error",
    "busy",
    "proxy",
    "redirected",
)


class BadResponse(DeskError):
    """The desk answered, but not with something we understand."""

    code = "bad_response"


class SecretStoreError(ClientError):
    """The OS keyring is missing, locked or refused: the credential cannot be kept."""

    code = "keyring_unavailable"


class StoreError(ClientError):
    """A report could not be kept on this computer; ``code`` says why."""

    code = "store_failed"

    def __init__(self, detail: str = "", code: str = "store_failed") -> None:
        super().__init__(detail)
        self.code = code
