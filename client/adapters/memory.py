"""Giving memory the app no longer uses back to the system.

glibc's allocator keeps freed memory for the process's next allocation; after a
report (a screenshot encoded, a dialog built and closed) that is tens of MB a tray
would hold all day (docs/performance.md, "after first use"). Two things help: a
fixed mmap threshold before the first large buffers (glibc raises its threshold
after the first large one is freed, so later ones come from the heap, which is
not given back), and ``malloc_trim`` once a window has closed.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)


#: Buffers at least this large get pages of their own, returned when freed (glibc's
#: default starts here too, but rises after the first large buffer is freed).
MMAP_THRESHOLD = 128 * 1024
#: ``mallopt``'s parameter number for the threshold (malloc.h, M_MMAP_THRESHOLD).
_M_MMAP_THRESHOLD = -3


def _libc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # deferred: loaded on first use of a window, never at start

    try:
        libc = ctypes.CDLL(None)  # the process's own C library
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return libc


def keep_large_buffers_apart() -> bool:
    """Fix glibc's mmap threshold, so large buffers freed later go back at once.

    Call it before the first large work (a screenshot); ``False`` where it cannot be set.
    """
    libc = _libc()
    return bool(libc and libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_free_memory() -> bool:
    """Return freed heap memory to the system; ``False`` where that cannot be done.

    Cheap (a few ms); call it when the app has just let go of something large.
    """
    libc = _libc()
    if libc is None:
        return False
    trim = libc.malloc_trim
    released = bool(trim(0))
    logger.debug("free memory returned to the system: %s", released)
    return released
