"""Services' tests: what a test left behind is destroyed on the main thread when it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from PySide6.QtCore import QCoreApplication, QEvent


@pytest.fixture(autouse=True)
def _destroy_on_the_main_thread() -> Iterator[None]:
    """Services left in reference cycles (slots that are lambdas) are freed here, at once.

    Otherwise a garbage collection frees them on whichever thread allocates at
    that moment, such as a test desk's or proxy's server thread, and Qt refuses
    to stop their timers there (a warning, which fails the test that sees it).
    """
    yield
    if QCoreApplication.instance() is None:
        return
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
