"""Where the panel opens, for each kind of tray (the geometry faked as each reports it)."""

from __future__ import annotations

import pytest

from client.core.placement import (
    MARGIN,
    Edge,
    Rect,
    edge_at,
    nearest_edge,
    panel_position,
    tray_edge,
)

SCREEN = Rect(0, 0, 1920, 1080)
SIZE = (360, 480)


def _inside(position: tuple[int, int], available: Rect, size: tuple[int, int] = SIZE) -> bool:
    x, y = position
    return (
        available.x <= x
        and available.y <= y
        and x + size[0] <= available.right
        and y + size[1] <= available.bottom
    )


def test_an_icon_in_a_top_bar_gets_the_panel_right_below_it() -> None:
    available = Rect(0, 28, 1920, 1052)  # GNOME-like: a bar along the top
    icon = Rect(1800, 2, 24, 24)
    x, y = panel_position(SIZE, SCREEN, available, icon=icon)
    assert y == icon.bottom + MARGIN
    assert x <= icon.x and x + SIZE[0] >= icon.right, "the panel spans the icon"
    assert _inside((x, y), available)


def test_an_icon_in_a_bottom_task_bar_gets_the_panel_right_above_it() -> None:
    available = Rect(0, 0, 1920, 1040)  # Windows, KDE: the task bar at the bottom
    icon = Rect(1700, 1048, 24, 24)
    x, y = panel_position(SIZE, SCREEN, available, icon=icon)
    assert y + SIZE[1] == icon.y - MARGIN
    assert x <= icon.x and x + SIZE[0] >= icon.right


def test_an_icon_in_the_corner_keeps_the_whole_panel_on_the_screen() -> None:
    available = Rect(0, 0, 1920, 1040)
    icon = Rect(1896, 1048, 24, 24)  # the last icon before the screen's edge
    x, y = panel_position(SIZE, SCREEN, available, icon=icon)
    assert x + SIZE[0] == available.right
    assert _inside((x, y), available)


@pytest.mark.parametrize(
    ("available", "icon", "side"),
    [
        (Rect(48, 0, 1872, 1080), Rect(12, 900, 24, 24), "right"),  # a dock on the left
        (Rect(0, 0, 1872, 1080), Rect(1884, 900, 24, 24), "left"),  # a dock on the right
    ],
)
def test_an_icon_in_a_side_dock_gets_the_panel_beside_it(
    available: Rect, icon: Rect, side: str
) -> None:
    x, y = panel_position(SIZE, SCREEN, available, icon=icon)
    if side == "right":  # against the icon, but never over the dock
        assert x == max(icon.right + MARGIN, available.x)
    else:
        assert x + SIZE[0] == min(icon.x - MARGIN, available.right)
    assert y <= icon.y and y + SIZE[1] >= icon.bottom
    assert _inside((x, y), available)


def test_a_tray_that_hides_its_icon_gets_the_panel_at_the_pointer() -> None:
    # StatusNotifierItem hosts report an empty geometry; the click was on the icon.
    available = Rect(0, 0, 1920, 1040)
    x, y = panel_position(SIZE, SCREEN, available, icon=Rect(0, 0, 0, 0), pointer=(1500, 1060))
    assert y + SIZE[1] == available.bottom, "just above the task bar the pointer is in"
    assert x < 1500 < x + SIZE[0]


def test_without_icon_or_pointer_it_opens_in_the_corner_where_the_tray_is() -> None:
    top_bar = Rect(0, 28, 1920, 1052)
    assert panel_position(SIZE, SCREEN, top_bar) == (1920 - MARGIN - 360, 28 + MARGIN)
    bottom_bar = Rect(0, 0, 1920, 1040)
    assert panel_position(SIZE, SCREEN, bottom_bar) == (1920 - MARGIN - 360, 1040 - MARGIN - 480)
    left_dock = Rect(64, 0, 1856, 1080)
    assert panel_position(SIZE, SCREEN, left_dock) == (64 + MARGIN, 1080 - MARGIN - 480)
    right_dock = Rect(0, 0, 1856, 1080)
    assert panel_position(SIZE, SCREEN, right_dock) == (1856 - MARGIN - 360, 1080 - MARGIN - 480)


def test_a_pointer_on_another_screen_is_no_anchor() -> None:
    # The shortcut was pressed with the mouse on the second screen: the tray's corner.
    available = Rect(0, 28, 1920, 1052)
    position = panel_position(SIZE, SCREEN, available, pointer=(2500, 500))
    assert position == (1920 - MARGIN - 360, 28 + MARGIN)


def test_a_second_screen_to_the_right_is_measured_in_global_pixels() -> None:
    screen = Rect(1920, 0, 1280, 1024)
    available = Rect(1920, 0, 1280, 984)
    icon = Rect(3100, 992, 22, 22)
    x, y = panel_position(SIZE, screen, available, icon=icon)
    assert _inside((x, y), available)
    assert y + SIZE[1] == icon.y - MARGIN


def test_an_icon_in_the_corner_of_a_tray_that_keeps_no_strip_opens_below(  # trayer
) -> None:
    x, y = panel_position(SIZE, SCREEN, SCREEN, icon=Rect(1897, 1, 22, 30))
    assert (x, y) == (1920 - 360, 31 + MARGIN)


def test_a_panel_bigger_than_the_screen_shows_its_top_left() -> None:
    small = Rect(0, 0, 300, 400)
    assert panel_position(SIZE, small, small, icon=Rect(280, 380, 16, 16)) == (0, 0)


def test_edges() -> None:
    assert nearest_edge((10, 500), SCREEN) is Edge.LEFT
    assert nearest_edge((1915, 500), SCREEN) is Edge.RIGHT
    assert nearest_edge((900, 3), SCREEN) is Edge.TOP
    assert nearest_edge((900, 1079), SCREEN) is Edge.BOTTOM
    assert edge_at((900, 3), SCREEN, SCREEN) is Edge.TOP  # no strip: the nearest edge
    # In a corner: a bar along the top or bottom, though the side is nearer.
    assert nearest_edge((1908, 16), SCREEN) is Edge.TOP
    assert nearest_edge((1916, 1060), SCREEN) is Edge.BOTTOM
    assert edge_at((1915, 500), SCREEN, Rect(0, 0, 1900, 1080)) is Edge.RIGHT
    assert tray_edge(SCREEN, SCREEN) is Edge.BOTTOM  # an auto-hidden panel: the usual place
    assert Rect(0, 0, 0, 10).empty and not Rect(0, 0, 1, 1).empty
