"""Where the tray's panel opens: next to the icon, or as near to the tray as can be known.

Plain rectangles in global screen pixels; no Qt. Three cases (docs/architecture.md §11):

* the icon's place is known (XEmbed trays): the panel opens against it, on the
  side that faces into the screen;
* it is not (StatusNotifierItem hosts report an empty geometry), but the click
  was just now: the pointer is on the icon, so the panel opens against the pointer;
* neither (a keyboard shortcut, ``helpdesk-tray show``): the corner of the screen
  nearest the tray, which is where the desktop's panel keeps its space.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: The gap between the panel and what it opens against, and the screen's edges.
MARGIN = 8
#: How tall a desktop's top or bottom bar may be (logical pixels, generously).
BAR = 64


@dataclass(frozen=True)
class Rect:
    """A rectangle on the screen: left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        """The first column past the rectangle."""
        return self.x + self.width

    @property
    def bottom(self) -> int:
        """The first row below the rectangle."""
        return self.y + self.height

    @property
    def empty(self) -> bool:
        """Whether it covers nothing (a tray that does not say where its icon is)."""
        return self.width <= 0 or self.height <= 0

    def contains(self, x: int, y: int) -> bool:
        """Whether the point is inside."""
        return self.x <= x < self.right and self.y <= y < self.bottom


class Edge(enum.Enum):
    """The screen edge a tray sits on."""

    TOP = "top"
    BOTTOM = "bottom"
    LEFT = "left"
    RIGHT = "right"


def nearest_edge(point: tuple[int, int], screen: Rect) -> Edge:
    """The edge of ``screen`` closest to ``point``.

    A point within a bar's height of the top or bottom is on that bar, even
    nearer a side: an icon in the top right corner is in a top bar, not a dock.
    """
    x, y = point
    if y - screen.y < BAR:
        return Edge.TOP
    if screen.bottom - 1 - y < BAR:
        return Edge.BOTTOM
    distances = [
        (y - screen.y, 0, Edge.TOP),
        (screen.bottom - 1 - y, 1, Edge.BOTTOM),
        (x - screen.x, 2, Edge.LEFT),
        (screen.right - 1 - x, 3, Edge.RIGHT),
    ]
    return min(distances)[2]


def edge_at(point: tuple[int, int], screen: Rect, available: Rect) -> Edge:
    """The edge whose tray holds ``point``: the desktop panel's strip it is in, else the nearest."""
    x, y = point
    if y < available.y:
        return Edge.TOP
    if y >= available.bottom:
        return Edge.BOTTOM
    if x < available.x:
        return Edge.LEFT
    if x >= available.right:
        return Edge.RIGHT
    return nearest_edge(point, screen)  # an auto-hidden panel keeps no strip


def tray_edge(screen: Rect, available: Rect) -> Edge:
    """Where the desktop's panel is: the side of the screen it keeps for itself.

    The widest strip wins; with none (an auto-hidden panel) the bottom, as on
    Windows and most Linux desktops.
    """
    strips = [
        (available.y - screen.y, Edge.TOP),
        (screen.bottom - available.bottom, Edge.BOTTOM),
        (available.x - screen.x, Edge.LEFT),
        (screen.right - available.right, Edge.RIGHT),
    ]
    size, edge = max(strips, key=lambda strip: strip[0])
    return edge if size > 0 else Edge.BOTTOM


def _clamp(value: int, low: int, high: int) -> int:
    # ``low`` wins when the range is empty: a panel taller than the screen shows its top.
    return max(low, min(value, high))


def _against(anchor: Rect, edge: Edge, width: int, height: int) -> tuple[int, int]:
    """The panel's top left when it opens against ``anchor`` from a tray on ``edge``."""
    middle_x = anchor.x + anchor.width // 2 - width // 2
    middle_y = anchor.y + anchor.height // 2 - height // 2
    if edge is Edge.TOP:
        return middle_x, anchor.bottom + MARGIN
    if edge is Edge.BOTTOM:
        return middle_x, anchor.y - MARGIN - height
    if edge is Edge.LEFT:
        return anchor.right + MARGIN, middle_y
    return anchor.x - MARGIN - width, middle_y


def _corner(edge: Edge, available: Rect, width: int, height: int) -> tuple[int, int]:
    """The panel's top left in the corner where the tray is (its right end, or bottom)."""
    right = available.right - MARGIN - width
    bottom = available.bottom - MARGIN - height
    if edge is Edge.TOP:
        return right, available.y + MARGIN
    if edge is Edge.LEFT:
        return available.x + MARGIN, bottom
    return right, bottom


def panel_position(
    size: tuple[int, int],
    screen: Rect,
    available: Rect,
    icon: Rect | None = None,
    pointer: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """Where the panel's top left goes, so that all of it is on ``available``.

    ``screen``: the whole screen the tray is on; ``available``: the part of it
    windows may use (without the desktop's panels). ``icon``: the tray icon's
    place, when the tray says; ``pointer``: where a click just happened.
    """
    width, height = size
    if icon is not None and not icon.empty:
        anchor: Rect | None = icon
    elif pointer is not None and screen.contains(*pointer):
        anchor = Rect(pointer[0], pointer[1], 1, 1)
    else:
        anchor = None
    if anchor is None:
        x, y = _corner(tray_edge(screen, available), available, width, height)
    else:
        centre = (anchor.x + anchor.width // 2, anchor.y + anchor.height // 2)
        x, y = _against(anchor, edge_at(centre, screen, available), width, height)
    # Whatever was asked, all of it on screen: the top left wins when it is too big.
    return (
        _clamp(x, available.x, available.right - width),
        _clamp(y, available.y, available.bottom - height),
    )
