"""A test and benchmark hook: reports when the tray icon and windows are really on screen.

Enabled only when ``HELPDESK_TRAY_PROBE`` is set; each event is one line on
stdout, ``PROBE <event> key=value ...``, read by the end-to-end tests and
``bench/``. On an XEmbed tray the icon is visible at the first paint of Qt's
internal ``QSystemTrayIconSys`` widget (docs/reference: qt-on-linux §7).
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtWidgets import QMenu, QWidget

from client.core.tray_state import TrayStatus

_PAINTED = "_probe_painted"


def _rect(rect: QRect) -> str:
    return f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


def emit(event: str, **values: object) -> None:
    """Write one probe line."""
    fields = " ".join(f"{key}={value}" for key, value in values.items())
    sys.stdout.write(f"PROBE {event} t={time.time():.6f} {fields}\n")
    sys.stdout.flush()


def _is_tray(widget: QWidget) -> bool:
    return widget.metaObject().className() == "QSystemTrayIconSys"


class ScreenProbe(QObject):
    """An application-wide event filter that reports first paints and shown windows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray_seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802, D102
        # A window is on screen, at its final place, when it first paints after being shown.
        kind = event.type()
        if not isinstance(watched, QWidget) or not watched.isWindow():
            return False
        # A property on the widget itself: id() of these short-lived wrappers is reused.
        if kind == QEvent.Type.Hide:
            if watched.property(_PAINTED) and watched.objectName():
                emit("window_hidden", name=watched.objectName())
            watched.setProperty(_PAINTED, False)
        elif kind == QEvent.Type.MouseButtonPress and _is_tray(watched):
            emit("tray_pressed")  # the click as the app got it: the start of "click to panel"
        elif kind == QEvent.Type.Paint and not watched.property(_PAINTED):
            watched.setProperty(_PAINTED, True)
            if _is_tray(watched):
                if not self._tray_seen:  # the icon repaints on every status change
                    self._tray_seen = True
                    # Whether the app's own code had loaded when its icon was first drawn
                    # (client/start.py shows the icon first).
                    loaded = int("client.app" in sys.modules)
                    emit("tray_visible", geometry=_rect(_global_rect(watched)), app=loaded)
            else:
                self._report_window(watched)
        return False

    def on_status_changed(self, status: TrayStatus) -> None:
        """Report the tray's icon and connection whenever they change."""
        emit("status", icon=status.icon.value, connection=status.connection.value)

    def _report_window(self, window: QWidget) -> None:
        if isinstance(window, QMenu):
            items = ";".join(
                f"{action.objectName()}@{_rect(window.actionGeometry(action))}"
                for action in window.actions()
                if action.objectName() and action.isVisible()
            )
            emit("menu_shown", geometry=_rect(window.geometry()), items=items)
        elif window.objectName():
            self.describe("window_shown", window)

    @staticmethod
    def describe(event: str, window: QWidget) -> None:
        """Report ``window`` with where its named, visible children are now."""
        children = ";".join(
            f"{child.objectName()}@{_rect(_global_rect(child))}"
            for child in window.findChildren(QWidget)
            if child.objectName() and not child.objectName().startswith("qt_") and child.isVisible()
        )
        emit(event, name=window.objectName(), geometry=_rect(window.geometry()), children=children)
