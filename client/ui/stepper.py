"""A ticket's way as a drawn line: stages passed, the one it is at, those to come.

Drawn in the palette's colours (so it follows light, dark and high-contrast
themes); a screen reader hears it as one sentence ("In progress: step 3 of 5").
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.core.models import Stage
from client.core.tracking import Step, timeline
from client.ui import texts

#: A stage's dot, and the current stage's (logical pixels).
DOT = 8.0
CURRENT = 14.0
LINE = 2.0


class StageLine(QWidget):
    """The stages of one ticket as dots on a line; the current one larger, ringed.

    ``labels``: each stage's name under its dot (the tracker); without, the line
    alone (a card in the panel, which names the current stage beside it).
    """

    def __init__(self, parent: QWidget | None = None, labels: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("stageLine")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._steps: list[tuple[Stage, Step]] = []
        self._labels = labels

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

    def _line_height(self) -> int:
        return int(CURRENT) + 2

    def _height(self) -> int:
        text = self.fontMetrics().height() + 4 if self._labels else 0
        return self._line_height() + text

    def sizeHint(self) -> QSize:  # noqa: N802, D102
        each = 7 * CURRENT if self._labels else 3 * CURRENT
        return QSize(int(len(self._steps) * each), self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802, D102
        each = 4 * CURRENT if self._labels else 1.5 * CURRENT
        return QSize(int(len(self._steps) * each), self._height())

    @staticmethod
    def colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
        """What it draws with: passed and current, to come, and the dots' inside."""
        return (
            palette.color(QPalette.ColorRole.Highlight),
            palette.color(QPalette.ColorRole.PlaceholderText),
            palette.color(QPalette.ColorRole.Base),
        )

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802, D102
        if not self._steps:
            return
        done, to_come, ring = self.colours(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        middle = self._line_height() / 2
        # With names, the first and last dots sit in the middle of their name's room.
        first = self.width() / (2 * len(self._steps)) if self._labels else CURRENT / 2 + 1
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
        if self._labels:
            self._paint_labels(painter, centres, gap, to_come)
        painter.end()

    def _paint_labels(
        self, painter: QPainter, centres: list[QPointF], gap: float, to_come: QColor
    ) -> None:
        """Each stage's name under its dot, cut to fit its room.

        Passed and current in the text colour, the current one bold, those to come
        in the quieter colour.
        """
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        top = self._line_height() + 2
        height = self.fontMetrics().height()
        for centre, (stage, step) in zip(centres, self._steps, strict=True):
            font = QFont(self.font())
            font.setBold(step is Step.CURRENT)
            painter.setFont(font)
            painter.setPen(to_come if step is Step.TODO else ink)
            room = QRectF(centre.x() - gap / 2, top, gap, height)
            words = QFontMetricsF(font).elidedText(
                texts.stage_label(stage), Qt.TextElideMode.ElideRight, gap - 4
            )
            painter.drawText(room, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, words)


def _square(centre: QPointF, side: float) -> QRectF:
    return QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side)
