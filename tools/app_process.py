"""The real app as a child process, and its probe and log lines as they arrive."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Probe:
    """One ``PROBE <event> key=value ...`` line."""

    event: str
    values: dict[str, str]

    def rect(self, key: str = "geometry") -> tuple[int, int, int, int]:
        """``x,y,w,h`` as a tuple."""
        x, y, w, h = (int(v) for v in self.values[key].split(","))
        return x, y, w, h

    def items(self, key: str) -> dict[str, tuple[int, int, int, int]]:
        """``name@x,y,w,h;...`` as a mapping."""
        found = {}
        for item in filter(None, self.values.get(key, "").split(";")):
            name, _, rect = item.partition("@")
            x, y, w, h = (int(v) for v in rect.split(","))
            found[name] = (x, y, w, h)
        return found


class AppProcess:
    """``python -m client`` (or ``command``) with the given environment.

    Its output lines are read on background threads and handed out in order.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        args: tuple[str, ...] = (),
        command: list[str] | None = None,
    ) -> None:
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.log: list[str] = []
        self.started = time.time()
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "client", *args],
            cwd=ROOT,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._pumps = []
        for name, stream in (("out", self.process.stdout), ("err", self.process.stderr)):
            assert stream is not None
            pump = threading.Thread(target=self._pump, args=(name, stream), daemon=True)
            pump.start()
            self._pumps.append(pump)

    def _pump(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))
        self.lines.put((name, ""))  # end of stream

    def expect(self, predicate: str, timeout: float = 20.0) -> str:
        """The next line containing ``predicate``; fails with the log so far."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                _name, line = self.lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError(
                    f"no line with {predicate!r} within {timeout} s; seen:\n" + "\n".join(self.log)
                ) from None
            self.log.append(line)
            if predicate in line:
                return line

    def probe(self, event: str, timeout: float = 20.0) -> Probe:
        """Wait for the next probe line of ``event``."""
        line = self.expect(f"PROBE {event} ", timeout)
        fields = line.split()[2:]
        return Probe(event, dict(field.split("=", 1) for field in fields))

    def wait(self, timeout: float = 15.0) -> int:
        """Wait for the app to exit; its exit code."""
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Terminate the app if it still runs, and close its pipes."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pump in self._pumps:
            pump.join(timeout=5)  # the streams end when the process does
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
