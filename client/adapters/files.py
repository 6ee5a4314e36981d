"""Files the user adds to a report: read whole, or refused with a reason the user understands."""

from __future__ import annotations

import mimetypes
import stat
from pathlib import Path

from client.core.errors import ValidationError
from client.core.models import Attachment

FIELD = "attachments"


def read_user_file(path: str, max_bytes: int) -> Attachment:
    """The file at ``path`` as an attachment, if it is a readable file of at most ``max_bytes``.

    Raises:
        ValidationError: ``file_missing``, ``file_is_folder``, ``file_not_regular``
            (a socket, a device, a pipe), ``file_unreadable`` or ``file_too_large``;
            the detail names the file.
    """
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError as error:
        raise ValidationError("file_missing", FIELD, file.name) from error
    except OSError as error:
        raise ValidationError("file_unreadable", FIELD, file.name) from error
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError("file_is_folder", FIELD, file.name)
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError("file_not_regular", FIELD, file.name)
    if info.st_size > max_bytes:
        raise ValidationError("file_too_large", FIELD, file.name)
    try:
        with file.open("rb") as source:
            data = source.read(max_bytes + 1)
    except OSError as error:
        raise ValidationError("file_unreadable", FIELD, file.name) from error
    if len(data) > max_bytes:  # it grew while we looked
        raise ValidationError("file_too_large", FIELD, file.name)
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return Attachment(file.name, kind, data)
