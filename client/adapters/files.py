"""Files the user adds to a report: read whole, or refused with a reason the user understands."""

from __future__ import annotations

import mimetypes
import os
import stat
import tempfile
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


def save_ticket_file(folder: Path, name: str, data: bytes) -> Path:
    """Keep a file of a ticket in ``folder`` (the user's own, 0700) under ``name``; its path.

    Written whole under a temporary name first, then renamed: a program opening it
    never sees half a file. An older copy of the same name is replaced.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / name
    # A name of its own (0600 from the start): two fetches of one file never share it.
    handle, partial_name = tempfile.mkstemp(dir=folder, prefix=".", suffix=".partial")
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target
