"""A spreadsheet with an error on screen, for the screenshots: what an employee would report.

``python -m tools.scenery`` shows "Budget 2027.xlsx" with a column of
salaries (the part to black out) and an error message, and prints
``ready`` once they are on screen.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget, QTableWidgetItem

TITLE = "Budget 2027.xlsx - Spreadsheet"
HEADERS = ["Employee", "Department", "Salary", "Q1", "Q2", "Q3", "Q4", "Total"]
PEOPLE = ["A. de Vries", "B. Jansen", "C. Bakker", "D. Visser", "E. Smit", "F. Meijer",
          "G. de Boer", "H. Mulder", "I. de Groot", "J. Bos", "K. Vos", "L. Peters"]  # fmt: skip


def main() -> int:
    """Show the windows and stay until killed."""
    app = QApplication(sys.argv[:1])
    sheet = QTableWidget(len(PEOPLE) + 8, len(HEADERS))
    sheet.setWindowTitle(TITLE)
    sheet.setHorizontalHeaderLabels(HEADERS)
    for row, person in enumerate(PEOPLE):
        salary = 3100 + row * 275
        quarters = [f"{salary * 0.25 * (1 + q / 50):,.0f}" for q in range(4)]
        values = [person, "Finance" if row % 2 else "Sales", f"€ {salary:,}", *quarters, "#VALUE!"]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if value == "#VALUE!":
                item.setForeground(QColor("#cc0000"))
            sheet.setItem(row, column, item)
    sheet.setGeometry(60, 80, 980, 640)
    sheet.show()
    error = QMessageBox(QMessageBox.Icon.Warning, "Spreadsheet",
                        "There is a problem with this formula.\n\n=SUM(D2:G2)*Salary",
                        QMessageBox.StandardButton.Ok)  # fmt: skip
    error.setModal(False)
    error.move(720, 520)
    error.show()
    QTimer.singleShot(800, lambda: print("ready", flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
