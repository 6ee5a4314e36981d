"""Telling the user, once, that something unexpected happened and the app carries on."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from client.core.crash import CrashInfo
from client.ui import resources


class CrashDialog(QMessageBox):
    """A calm message with the technical details folded away (for IT)."""

    def __init__(
        self, info: CrashInfo, *, previous_run: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowIcon(resources.app_icon())
        self.setWindowTitle(self.tr("IT help ran into a problem"))
        self.setText(
            self.tr("IT help stopped unexpectedly the last time it ran.")
            if previous_run
            else self.tr("Something unexpected went wrong inside IT help.")
        )
        self.setInformativeText(
            self.tr(
                "The app keeps running and nothing you wrote is lost. If this keeps happening, "
                "please tell your IT department; the details below help them."
            )
        )
        self.setDetailedText(info.details)
        self.setStandardButtons(QMessageBox.StandardButton.Close)
