"""Handing freed memory back to the system (glibc's malloc_trim)."""

from __future__ import annotations

import platform
import sys

import pytest

from client.adapters.memory import keep_large_buffers_apart, release_free_memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_freed_memory_is_handed_back_on_glibc() -> None:
    assert keep_large_buffers_apart() is True
    garbage = [bytes(4096) for _ in range(20_000)]  # ~80 MB in small blocks, then freed
    del garbage
    assert release_free_memory() is True


def test_elsewhere_it_says_it_could_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert release_free_memory() is False
    assert keep_large_buffers_apart() is False
