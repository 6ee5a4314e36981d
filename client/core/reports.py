"""Rules for a report the user is about to send: what must be there, what fits."""

from __future__ import annotations

from collections.abc import Sequence

from client.core.errors import ValidationError
from client.core.models import Attachment, Report

#: Longest subject any supported desk accepts (django-helpdesk: 200, RT: 200).
MAX_SUBJECT_LENGTH = 200

#: Default cap on the total size of a report's attachments (IT policy may change it).
DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def ticket_text(description: str, summary: str = "") -> str:
    """The ticket's text: the diagnostics summary for the agent first, then the user's words."""
    description = description.strip()
    if not summary:
        return description
    return f"{summary}\n\n{description}" if description else summary


def build_report(
    subject: str,
    description: str,
    attachments: Sequence[Attachment] = (),
    *,
    summary: str = "",
    queue: str | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> Report:
    """Check what the user entered and turn it into a :class:`Report`.

    ``summary`` (the diagnostics' first lines) goes at the top of the text; ``queue`` is
    the desk queue it goes to (``None`` or ``""``: the desk's default).

    Raises:
        ValidationError: ``subject_missing`` or ``subject_too_long`` (field
            ``subject``), or ``attachments_too_large`` (field ``attachments``).
    """
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError("subject_missing", "subject")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ValidationError("subject_too_long", "subject")
    total = sum(a.size for a in attachments)
    if total > max_attachment_bytes:
        raise ValidationError(
            "attachments_too_large", "attachments", f"{total} > {max_attachment_bytes} bytes"
        )
    return Report(
        subject=subject,
        description=ticket_text(description, summary),
        queue=queue or None,
        attachments=tuple(attachments),
    )
