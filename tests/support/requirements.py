"""What a test needs from the machine: skip naming it outside CI, fail inside CI."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def in_ci() -> bool:
    """Whether this run is CI (``CI=true``), where real services may not be skipped."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str, hint: str) -> None:
    """Skip the test (outside CI) or fail it (in CI), naming what is missing."""
    message = f"{what} is missing: {hint}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def need_program(program: str, package: str) -> str:
    """The path of ``program``; skips or fails naming its Debian package when absent."""
    path = shutil.which(program)
    if path is None:
        missing(f"the program {program!r}", f"install the Debian package {package!r}")
        raise AssertionError("unreachable")
    return path


def need_library(soname: str, package: str) -> None:
    """A shared library the dynamic linker can find; skips or fails naming its package."""
    try:
        listing = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        listing = ""
    if soname not in listing:
        missing(f"the library {soname}", f"install the Debian package {package!r}")
