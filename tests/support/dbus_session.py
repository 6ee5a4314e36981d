"""A private D-Bus session bus per test, and the recording notification server on it.

The bus runs on its own configuration: a socket in a fresh directory, and no
service directories, so nothing on this machine (a real notification daemon)
is ever started by a test. Its address is handed to the code under test;
``DBUS_SESSION_BUS_ADDRESS`` stays as ``tests/conftest.py`` set it.
Without ``dbus-daemon`` these tests skip, and fail under ``CI=true``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.notify_server import NotifyServer, first_line
from tests.support.requirements import missing

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={sockets}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def dbus_session(tmp_path: Path) -> Iterator[str]:
    """The address of a private D-Bus session bus that lives as long as the test."""
    program = shutil.which("dbus-daemon")
    if program is None:
        missing("dbus-daemon", "install the Debian package dbus (make system-deps)")
        raise AssertionError("unreachable")  # missing() skips or fails
    # A short directory of its own: a Unix socket path may not exceed 107 bytes.
    sockets = Path(tempfile.mkdtemp(prefix="dbus-"))
    config = tmp_path / "session-bus.conf"
    config.write_text(_CONFIG.format(sockets=sockets), encoding="utf-8")
    with (tmp_path / "dbus-daemon.log").open("wb") as log:
        process = subprocess.Popen(
            [program, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        yield first_line(process, 10.0, "dbus-daemon")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.fixture
def notify_server(dbus_session: str, tmp_path: Path) -> Iterator[NotifyServer]:
    """The recording notification server on the test's private bus."""
    server = NotifyServer.start(dbus_session, tmp_path / "notifications.jsonl")
    yield server
    server.stop()
