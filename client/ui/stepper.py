"""A ticket's way as a drawn line: stages passed, the one it is at, those to come.

Drawn in the palette's colours (so it follows light, dark and high-contrast
themes); a screen reader hears it as one sentence ("In progress: step 3 of 5").
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.core.models import Stage
from client.core.tracking import Step, timeline
from client.ui import texts

#: A stage's dot, and the current stage's (logical pixels).
DOT = 8.0
CURRENT = 14.0
LINE = 2.0


class StageLine(QWidget):
    """The stages of one ticket as dots on a line; the current one larger, ringed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stageLine")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._steps: list[tuple[Stage, Step]] = []

    @property
    def steps(self) -> list[tuple[Stage, Step]]:
        """What is drawn: each stage and whether it is passed, current or to come."""
        return list(self._steps)

    def set_stage(self, stage: Stage) -> None:
        """Draw the way of a ticket that is at ``stage`` now."""
        self._steps = timeline(stage)
        here = next(n for n, (_, step) in enumerate(self._steps) if step is Step.CURRENT)
        name = texts.fill(
            self.tr("%1: step %2 of %3"), texts.stage_label(stage), here + 1, len(self._steps)
        )
        self.setAccessibleName(name)
        self.setToolTip(" → ".join(texts.stage_label(s) for s, _ in self._steps))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802, D102
        return QSize(int(len(self._steps) * 3 * CURRENT), int(CURRENT) + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802, D102
        return QSize(int(len(self._steps) * 1.5 * CURRENT), int(CURRENT) + 2)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802, D102
        if not self._steps:
            return
        palette = self.palette()
        done = palette.color(QPalette.ColorRole.Highlight)
        to_come = palette.color(QPalette.ColorRole.PlaceholderText)
        ring = palette.color(QPalette.ColorRole.Base)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        middle = self.height() / 2
        first = CURRENT / 2 + 1
        gap = (self.width() - 2 * first) / max(len(self._steps) - 1, 1)
        centres = [QPointF(first + n * gap, middle) for n in range(len(self._steps))]
        for n in range(len(centres) - 1):
            passed = self._steps[n + 1][1] is not Step.TODO
            painter.setPen(QPen(done if passed else to_come, LINE))
            painter.drawLine(centres[n], centres[n + 1])
        for centre, (_, step) in zip(centres, self._steps, strict=True):
            if step is Step.CURRENT:
                painter.setPen(QPen(done, LINE))
                painter.setBrush(ring)
                painter.drawEllipse(_square(centre, CURRENT - LINE))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(done)
                painter.drawEllipse(_square(centre, DOT - 2))
            elif step is Step.DONE:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(done)
                painter.drawEllipse(_square(centre, DOT))
            else:
                painter.setPen(QPen(to_come, LINE))
                painter.setBrush(ring)
                painter.drawEllipse(_square(centre, DOT - LINE))
        painter.end()


def _square(centre: QPointF, side: float) -> QRectF:
    return QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side)
