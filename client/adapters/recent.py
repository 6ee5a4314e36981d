"""A small cache of the last few answers by key, shared by the desk adapters' worker threads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

_V = TypeVar("_V")


class Recent(Generic[_V]):
    """The last ``size`` values by key, the least recently used forgotten first.

    The poll and a window's fetch may run on two worker threads at once.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> _V | None:
        """The value kept for ``key``, if any."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: _V) -> None:
        """Keep ``value`` for ``key``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
