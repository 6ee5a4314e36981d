"""Guard against PySide6 6.12.0's lost reference to None (docs/reference: qt-on-linux §0).

On Python 3.11 that build takes a reference away from ``None`` on every void
call; a tray app that runs all day aborts with "deallocating None". A version
bump that brings it back fails here long before it reaches a desktop. The
calls run in a child process, so the abort shows up as a failed test rather
than a dead test run.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 20_000

SNIPPET = f"""
import sys
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label, holder = QLabel(), QObject()
before = sys.getrefcount(None)
for number in range({CALLS}):
    label.setText("x")                      # void
    label.resize(10 + number % 3, 10)       # void
    holder.setObjectName("n")               # void
    QCoreApplication.processEvents()        # void: the call that aborted first
print(sys.getrefcount(None) - before)
"""


def test_void_calls_keep_none_alive() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"the process died: {result.stderr[-500:]}"
    drift = int(result.stdout.strip().splitlines()[-1])
    # A leak of one reference per call would be -80 000 here.
    assert abs(drift) < 100, f"None lost {-drift} references over {4 * CALLS} void calls"
