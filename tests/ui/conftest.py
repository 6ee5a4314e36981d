"""UI tests find icons the way the app does, and can speak Dutch."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from client.ui import resources


@pytest.fixture(autouse=True, scope="session")
def _resource_search_paths() -> None:
    resources.register_search_paths()


@pytest.fixture(autouse=True)
def _destroy_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """What a test left behind is destroyed here, on the GUI thread, when it ends.

    Apps and windows hold themselves in reference cycles (slots that are lambdas),
    so only a garbage collection frees them, and Python runs one on whichever thread
    allocates at that moment: a worker thread of a later test, destroying timers and
    socket notifiers where Qt forbids it, which crashed whole runs (segfaults).
    """
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def dutch(qapp: QApplication) -> Iterator[None]:
    """The interface in Dutch, as a Dutch employee's tray runs; English again afterwards."""
    if not (resources.resource_root() / "i18n" / "helpdesk_tray_nl.qm").exists():
        pytest.fail("the compiled catalogs are missing: run `make i18n`")
    before = QLocale()
    translators = list(qapp.findChildren(QTranslator))
    resources.install_translators(qapp, "nl")
    yield
    for translator in qapp.findChildren(QTranslator):
        if translator not in translators:
            qapp.removeTranslator(translator)
            translator.deleteLater()
    QLocale.setDefault(before)
