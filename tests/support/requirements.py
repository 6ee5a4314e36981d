"""What a test needs from the machine: skip naming it outside CI, fail inside CI."""

from __future__ import annotations

import os

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
