"""The frozen app, built once per test session from the current sources (``frozen_bundle``).

Tests that use it are marked ``frozen`` here, so ``-m "not frozen"`` leaves out
the build (about 20 s). PyInstaller or binutils missing: the test skips naming
it, or fails under CI. A build that fails always fails the test: that is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.requirements import missing
from tools.freeze import APP, FreezeFailed, freeze, missing_tools

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the frozen bundle as ``frozen``."""
    for item in items:
        if "frozen_bundle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.frozen)


@pytest.fixture(scope="session")
def frozen_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle built for this session: its folder (the executable is ``helpdesk-tray`` in it)."""
    absent = missing_tools()
    if absent:
        missing("the frozen build", f"install {', '.join(absent)}")
    if not sorted((ROOT / "resources" / "i18n").glob("*.qm")):
        missing("the compiled catalogs", "run `make resources` (the bundle carries them)")
    where = tmp_path_factory.mktemp("bundle")
    try:
        folder = freeze(where / "dist", build=where / "build")
    except FreezeFailed as error:
        pytest.fail(str(error), pytrace=False)
    assert (folder / APP).is_file()
    return folder
