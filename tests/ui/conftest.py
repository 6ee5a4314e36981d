"""UI tests find icons the way the app does."""

from __future__ import annotations

import pytest

from client.ui import resources


@pytest.fixture(autouse=True, scope="session")
def _resource_search_paths() -> None:
    resources.register_search_paths()
