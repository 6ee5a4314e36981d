"""A ticket's files on this computer: under what name they are kept, and which open at once.

A file's name comes from the desk and so from anyone who wrote to the ticket:
it is made into one plain file name (no folders, no hidden file, no control
characters). Only kinds of file that are documents or pictures open directly
in their program; anything else (a script, a program, a shortcut) is kept and
its folder shown, so that the employee opens it knowingly, or not at all.
"""

from __future__ import annotations

import re

#: Kinds of file that open at once: pictures, PDFs, plain text and office documents.
OPENS_DIRECTLY = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "webp", "bmp",
        "pdf", "txt", "log", "json", "csv", "md",
        "docx", "xlsx", "pptx", "odt", "ods", "odp",
    }
)  # fmt: skip
MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u202a-\u202e\u2066-\u2069]+")


def kept_name(name: str) -> str:
    """``name`` as a file name of its own in a folder: ``"file"`` when nothing is left.

    Folders are dropped, characters no file system takes (and the ones that turn
    text around, to disguise ``exe.pdf`` as ``fdp.exe``) become ``_``, a leading dot
    goes, and a long name is cut before its extension.
    """
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base or set(base) == {"_"}:
        return "file"
    if len(base) > MAX_NAME:
        stem, dot, extension = base.rpartition(".")
        extension = extension[:16] if dot else ""
        room = MAX_NAME - (len(extension) + 1 if extension else 0)
        stem = (stem if dot else base)[:room]
        base = f"{stem}.{extension}" if extension else stem
    return base


def opens_directly(name: str) -> bool:
    """Whether a file of this (kept) name opens in its program at once."""
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem) and extension.lower() in OPENS_DIRECTLY
