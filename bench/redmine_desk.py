"""Redmine 5 from one employee's tray: what a report, an idle poll and a changed poll cost.

Against a real Redmine 5 on 127.0.0.1 (the test suite's fixture: SQLite, Puma),
through the real Redmine adapter and HTTP layer, with the employee's API key:

- create: a report with a 300 KB screenshot and the diagnostics file (two uploads,
  then the issue);
- idle poll: "what changed since the cursor?" when nothing did;
- changed poll: the agent has answered one issue; the poll that finds it, plus the
  fetch of that issue (what the tray does while its tracker is open).

Each as the median latency of ``rounds`` and the HTTP requests it made, next to
Request Tracker's (``bench/rt_desk.py``, whose measures and counter are reused).
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

from bench.rt_desk import DeskResult, _Counter, _timed, poll_rounds, reports
from client.adapters.desks.redmine import SETTLE_WITHOUT_CLOCK_S, RedmineConnector
from client.adapters.http import HttpConfig, make_session
from tests.support.redmine_desk import AGENT, PROJECT, Redmine, RedmineAccess


class Result(DeskResult):
    """Every measure of one run against Redmine."""

    def table(self) -> list[str]:
        """Markdown rows."""
        return self.rows("Redmine 5 (Puma)")


def run(rounds: int = 9) -> Result:
    """Measure against a fresh Redmine."""
    result = Result(rounds)
    with tempfile.TemporaryDirectory(prefix="bench-redmine-") as tmp:
        redmine = Redmine(Path(tmp))
        ids = redmine.setup()
        redmine.start()
        access = RedmineAccess(redmine.url, ids, redmine)
        agent = access.as_user(AGENT)
        try:
            counter = _Counter()
            connector = RedmineConnector(
                HttpConfig(), session_factory=counter.factory(make_session), queue=PROJECT
            )
            desk = connector.open(access.url, connector.sign_in(access.url, "", access.key("anna")))
            desk.whoami()

            refs = [
                _timed(counter, result.create, partial(desk.create_ticket, report))
                for report in reports(rounds)
            ]
            # Puma sends no Date: an issue counts as settled once it is this old by our
            # clock. Idle means nothing changed lately, so let the reports grow old.
            time.sleep(SETTLE_WITHOUT_CLOCK_S + 2)
            ref = refs[0]

            def answer(index: int) -> None:
                agent.put(f"/issues/{ref.id}", {"issue": {"notes": f"Update {index}"}})

            poll_rounds(desk, counter, result, ref, answer)
        finally:
            agent.close()
            redmine.stop()
    return result
