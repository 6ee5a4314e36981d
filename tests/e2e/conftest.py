"""The end-to-end fixtures: a virtual desktop with a tray, and app environments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.requirements import missing
from tools.xsession import DesktopError, VirtualDesktop, missing_packages


@pytest.fixture(scope="session")
def desktop() -> Iterator[VirtualDesktop]:
    """Xvfb 1920×1080 + private D-Bus + trayer (XEmbed tray)."""
    absent = missing_packages()
    if absent:
        missing("the virtual desktop", f"install the Debian packages: {' '.join(absent)}")
    try:
        desktop = VirtualDesktop().start()
    except DesktopError as exc:
        missing("the virtual desktop", str(exc))
        raise
    yield desktop
    desktop.stop()


@pytest.fixture
def app_home(tmp_path: Path) -> dict[str, str]:
    """A per-test home and no IT policy, so runs never share state."""
    return {
        "HELPDESK_TRAY_HOME": str(tmp_path / "home"),
        "HELPDESK_TRAY_POLICY": str(tmp_path / "no-policy.toml"),
        "HELPDESK_TRAY_PROBE": "1",
    }
