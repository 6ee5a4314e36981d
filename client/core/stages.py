"""Mapping a desk's native ticket states onto parcel-tracker stages."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from typing import Any

from client.core.models import Stage

logger = logging.getLogger(__name__)


class StageTable:
    """A desk's native-state → :class:`Stage` table.

    An unknown native state maps to ``IN_PROGRESS`` (the desk has it, and it
    is not finished) and is logged once per table, not on every poll.
    """

    def __init__(self, desk: str, table: Mapping[Any, Stage]) -> None:
        self._desk = desk
        self._table: dict[Hashable, Stage] = dict(table)
        self._reported: set[Hashable] = set()

    def stage(self, native: Hashable) -> Stage:
        """The stage for one native state."""
        try:
            return self._table[native]
        except KeyError:
            if native not in self._reported:
                self._reported.add(native)
                logger.warning(
                    "%s: unknown ticket state %r shown as in progress", self._desk, native
                )
            return Stage.IN_PROGRESS
