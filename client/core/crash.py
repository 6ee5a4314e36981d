"""What identifies a crash, so the same one is shown to the user only once."""

from __future__ import annotations

import os
import traceback
import zlib
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True)
class CrashInfo:
    """An unexpected error: a stable fingerprint, a one-line summary, the traceback."""

    fingerprint: str
    summary: str
    details: str


def crash_info(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> CrashInfo:
    """Describe an exception; the fingerprint ignores the message, keeps the place.

    Two crashes share a fingerprint when the same exception type is raised
    through the same functions, whatever the message says (messages often
    carry ids or paths that differ every time).
    """
    frames = traceback.extract_tb(tb)
    where = "|".join(f"{os.path.basename(f.filename)}:{f.name}:{f.lineno}" for f in frames)
    key = f"{exc_type.__qualname__}|{where}".encode()
    try:
        # Here, not at import: hashlib loads OpenSSL's library, ~4 ms before the icon shows.
        import hashlib

        digest = hashlib.sha256(key).hexdigest()[:16]
    except ImportError:  # at interpreter shutdown: the crash is still described
        digest = f"{zlib.crc32(key):08x}"
    summary = f"{exc_type.__qualname__}: {exc}".strip().rstrip(":")
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    return CrashInfo(digest, summary, details)
