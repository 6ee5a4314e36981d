"""Icons, style and translations: one resource root, registered once."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QDir,
    QFile,
    QIODevice,
    QLibraryInfo,
    QLocale,
    QRect,
    QSize,
    QTranslator,
)
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from client.core.tray_state import TrayIconKind

logger = logging.getLogger(__name__)

CATALOG = "helpdesk_tray"


def resource_root() -> Path:
    """``resources/`` next to the frozen executable, or at the top of the source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def register_search_paths(root: Path | None = None) -> None:
    """Make ``icons:…``, ``qss:…`` and ``i18n:…`` resolve inside the resource root."""
    root = root or resource_root()
    for prefix in ("icons", "qss", "i18n"):
        QDir.addSearchPath(prefix, str(root / prefix))


def dress(window: QWidget, object_name: str, title: str, *, ring: bool = True) -> None:
    """Give one of our windows its name, title, icon and our style.

    Our style only on our windows: the tray menu keeps the platform look. Its
    colours fit the palette (light or dark); in high-contrast mode there is none.
    ``ring``: put the focus ring into the app's style now; a window that must be
    on screen fast (the panel) calls :func:`ring_focus` once it is drawn.
    """
    from client.ui import colours  # deferred with the windows

    if ring:
        ring_focus()
    window.setObjectName(object_name)
    window.setWindowTitle(title)
    window.setWindowIcon(app_icon())
    sheet = colours.themed(style_sheet(), window.palette(), contrast=colours.high_contrast())
    window.setStyleSheet(sheet)


def ring_focus() -> None:
    """A visible focus ring in the app's style, put there by the first of our windows (once).

    The style's classes take ~15 ms to load the first time: the panel has them
    loaded after its first frame, before anyone can press Tab.
    """
    from PySide6.QtWidgets import QApplication

    from client.ui import colours

    app = QApplication.instance()
    if isinstance(app, QApplication) and app.style().objectName() != "focusRing":
        style = colours.focus_ring_style()
        style.setObjectName("focusRing")
        app.setStyle(style)


def style_sheet() -> str:
    """The application style sheet (empty when the file is missing)."""
    file = QFile("qss:app.qss")
    if not file.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        logger.warning("style sheet missing: %s", file.errorString())
        return ""
    try:
        return bytes(file.readAll().data()).decode("utf-8")
    finally:
        file.close()


@functools.cache
def _icon(name: str) -> QIcon:
    """PNGs rendered at build time (``make resources``), else the SVG itself.

    Made once per name: the window icon is the tray's own, and at start both are
    asked for (each costs a folder listing and a file per size).

    Loading Qt's SVG support costs the tray ~1 MB of memory all day long for
    three small pictures, so the PNGs are preferred (docs/performance.md).
    """
    pngs = sorted(QDir("icons:png").entryList([f"{name}-*.png"]))
    if not pngs:
        return QIcon(f"icons:{name}.svg")
    icon = QIcon()
    for png in pngs:
        size = int(png.rsplit("-", 1)[1].removesuffix(".png"))
        icon.addFile(f"icons:png/{png}", QSize(size, size))  # with a size: loaded on use
    return icon


def tray_icon(kind: TrayIconKind) -> QIcon:
    """The tray icon for a status."""
    return _icon(f"tray-{kind.value}")


def first_drawn(icon: QIcon, drawn: Callable[[], object]) -> QIcon:
    """``icon``, which calls ``drawn`` once, the first time it is drawn or rendered.

    The tray shows its icon before the rest of the app is built (client/start.py):
    the icon's own drawing is the one sign that works on every platform without
    touching Qt's private tray window. An X11 tray paints it; a StatusNotifierItem
    host, Windows and macOS take it as a picture.
    """
    return QIcon(_FirstDraw(icon, [drawn]))


class _FirstDraw(QIconEngine):
    """Draws another icon; the first drawing (of this engine or a copy) is told once."""

    def __init__(self, icon: QIcon, drawn: list[Callable[[], object]]) -> None:
        super().__init__()
        self._icon = icon
        self._drawn = drawn  # shared with copies; emptied by the first drawing

    def _tell(self) -> None:
        if self._drawn:
            self._drawn.pop()()

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:  # noqa: D102
        self._icon.paint(painter, rect, mode=mode, state=state)
        self._tell()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: D102
        picture = self._icon.pixmap(size, mode, state)
        self._tell()
        return picture

    def scaledPixmap(  # noqa: D102, N802
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        picture = self._icon.pixmap(size, scale, mode, state)
        self._tell()
        return picture

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: D102, N802
        return self._icon.actualSize(size, mode, state)

    def availableSizes(  # noqa: D102, N802
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        return self._icon.availableSizes(mode, state)

    def clone(self) -> QIconEngine:  # noqa: D102
        # WORKAROUND: Qt takes a clone (made when a copy of the icon is changed) without
        # PySide handing it the clone's Python half, which Python would free at once (a
        # crash; seen in 6.11). So it is kept here until Qt has deleted it. Nothing the
        # app does changes this icon, so in practice there are none.
        from shiboken6 import Shiboken

        _CLONES[:] = [engine for engine in _CLONES if Shiboken.isValid(engine)]
        copy = _FirstDraw(self._icon, self._drawn)
        _CLONES.append(copy)
        return copy


#: Clones of :class:`_FirstDraw` engines that Qt still holds (see its ``clone``).
_CLONES: list[QIconEngine] = []


def app_icon() -> QIcon:
    """The application's window icon."""
    return _icon("tray-normal")


def install_translators(app: QCoreApplication, language: str) -> QLocale:
    """Load our catalog and Qt's own for ``language`` ("" = the system's).

    Returns the locale the interface uses. A missing catalog is not an
    error: the interface then speaks English.
    """
    locale = QLocale(language) if language else QLocale.system()
    QLocale.setDefault(locale)
    ours = QTranslator(app)
    folder = str(resource_root() / "i18n")
    if ours.load(locale, CATALOG, "_", folder):
        app.installTranslator(ours)
    else:
        # The English catalog only holds plural forms ("1 open ticket").
        if locale.language() not in (QLocale.Language.English, QLocale.Language.C):
            logger.info("no translation for %s; using English", locale.name())
        if ours.load(f"{CATALOG}_en", folder):
            app.installTranslator(ours)
    qt_base = QTranslator(app)
    if qt_base.load(
        locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_base)
    return locale
