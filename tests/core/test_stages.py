import logging

import pytest

from client.core.models import Stage
from client.core.stages import StageTable


def test_known_states_map_by_the_table() -> None:
    table = StageTable("desk", {"new": Stage.RECEIVED, "done": Stage.RESOLVED})
    assert table.stage("new") is Stage.RECEIVED
    assert table.stage("done") is Stage.RESOLVED


def test_an_unknown_state_is_in_progress_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    table = StageTable("desk", {})
    with caplog.at_level(logging.WARNING, logger="client.core.stages"):
        assert table.stage("triage") is Stage.IN_PROGRESS
        assert table.stage("triage") is Stage.IN_PROGRESS
        assert table.stage("parked") is Stage.IN_PROGRESS
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "'triage'" in messages[0] and "'parked'" in messages[1]
