"""UI tests find icons the way the app does, and can speak Dutch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from client.ui import resources


@pytest.fixture(autouse=True, scope="session")
def _resource_search_paths() -> None:
    resources.register_search_paths()


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
