"""The evidence helper process: real subprocesses, its protocol, and every way it can fail."""

from __future__ import annotations

import getpass
import io
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import psutil
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from client.adapters import evidence_helper
from client.adapters.desk_probe import DeskProbe
from client.adapters.evidence_helper import (
    MAX_PAYLOAD_BYTES,
    BadMessage,
    EvidenceHelper,
    HelperDiagnostics,
    HelperEncoder,
    HelperFailed,
    evidence_helper_command,
    read_message,
    write_message,
)
from client.adapters.evidence_worker import serve
from client.app import evidence_service
from client.core.diagnostics import assemble
from client.core.diagnostics_schema import SCHEMA
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.services.tasks import SyncTaskRunner

SECRET = "tok-7f3a9c1e5b2d4f60"


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[EvidenceHelper]:
    log = tmp_path / "helpdesk-tray.log"
    log.write_text(f"INFO started\nWARNING the desk said: bad token {SECRET}\n", encoding="utf-8")
    options = {"app_version": "9.9", "log_file": str(log), "include_host_name": True}
    started = EvidenceHelper(evidence_helper_command(options, frozen=False))
    yield started
    started.close()


StandIn = Callable[..., EvidenceHelper]


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    """Helpers whose process is the given Python code instead of ours (ended afterwards)."""
    made: list[EvidenceHelper] = []

    def make(body: str, timeout_s: float = 30.0) -> EvidenceHelper:
        script = tmp_path / f"stand_in_{len(made)}.py"
        script.write_text(body, encoding="utf-8")
        made.append(EvidenceHelper([sys.executable, str(script)], timeout_s=timeout_s))
        return made[-1]

    yield make
    for helper in made:
        helper.cancel()
        helper.close()


def test_the_snapshot_is_taken_in_the_helper_and_the_log_redacted_here(
    helper: EvidenceHelper,
) -> None:
    redactor = Redactor()
    redactor.add_secret(SECRET)  # the tray's own credential: the helper never knew it
    desk_url = "http://127.0.0.1:9"
    source = HelperDiagnostics(helper, DeskProbe(lambda: desk_url), redactor, lambda: desk_url)
    sample = source.sample()
    time.sleep(0.05)  # the CPU measuring window: it must have a length
    local = source.local(sample)
    document = assemble(local, source.probe_desk(source.probe_target()))
    jsonschema.validate(document, SCHEMA)
    assert document["app"]["version"] == "9.9"
    assert document["processes"]["sampled_ms"] >= 50.0, "the window ran from the sample"
    # psutil ran there (its library is mapped into the helper). Whether the helper is among
    # the ten largest processes depends on what else runs: not a thing to test.
    maps = Path(f"/proc/{helper_pid(helper)}/maps").read_text(encoding="utf-8")
    assert "_psutil_linux" in maps
    assert document["network"]["desk"]["problem"] == "refused"
    assert SECRET not in json.dumps(document)
    assert any("bad token" in line for line in document["log_tail"])
    assert helper.started == 1, "one process for the whole report"


def helper_pid(helper: EvidenceHelper) -> int:
    process = helper._process  # noqa: SLF001 - which process is the helper
    assert process is not None
    return int(process.pid)


def test_the_screenshot_is_encoded_in_the_helper_without_loss(helper: EvidenceHelper) -> None:
    width, height = 320, 200
    rows = b"".join(
        bytes((x % 256, y % 256, (x + y) % 256)) for y in range(height) for x in range(width)
    )
    image = HelperEncoder(helper).encode(width, height, width * 3, rows, "screenshot")
    assert (image.filename, image.content_type) == ("screenshot.webp", "image/webp")
    decoded = Image.open(io.BytesIO(image.data)).convert("RGB")
    assert decoded.size == (width, height)
    assert decoded.tobytes() == rows, "a screen of windows and text stays lossless"


def test_pixels_that_do_not_add_up_are_refused_and_the_helper_goes_on(
    helper: EvidenceHelper,
) -> None:
    encoder = HelperEncoder(helper)
    with pytest.raises(HelperFailed, match="fewer pixels"):
        encoder.encode(100, 100, 300, b"\0" * 299, "screenshot")
    with pytest.raises(HelperFailed, match="positive integers"):
        encoder.encode(0, 100, 300, b"", "screenshot")
    assert encoder.encode(2, 2, 6, b"\xff" * 12, "screenshot").content_type == "image/webp"
    assert helper.started == 1


def test_close_ends_the_helper_and_the_next_request_starts_another(
    helper: EvidenceHelper,
) -> None:
    helper.call("sample")
    first = helper._process  # noqa: SLF001
    helper.close()
    assert not helper.is_running()
    assert first is not None and first.returncode == 0, "it left when its pipe ended"
    helper.call("sample")
    assert helper.is_running() and helper.started == 2


def test_cancel_kills_a_helper_in_the_middle_of_a_request(stand_in: StandIn) -> None:
    sleeper = stand_in("import sys, time\nsys.stdin.readline()\ntime.sleep(60)\n")
    failures: list[HelperFailed] = []

    def ask() -> None:
        try:
            sleeper.call("sample")
        except HelperFailed as error:
            failures.append(error)

    asking = threading.Thread(target=ask)
    asking.start()
    deadline = time.monotonic() + 10
    while not sleeper.is_running() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the process exists (nothing to wait on)
    sleeper.cancel()
    asking.join(timeout=10)
    assert not asking.is_alive()
    assert failures and "broke off" in str(failures[0])


def test_a_helper_that_never_answers_is_ended_at_the_deadline(stand_in: StandIn) -> None:
    sleeper = stand_in("import time\ntime.sleep(60)\n", timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(HelperFailed, match="no answer within 0.5 s"):
        sleeper.call("sample")
    assert time.monotonic() - started < 5.0
    assert not sleeper.is_running()


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (b"", "ended"),  # dies at once
        (b"<html>Internal error</html>\n", "not JSON"),
        (b"[1, 2]\n", "not an object"),
        (b'{"ok": true, "size": 100}\nshort', "cut short"),
        (b'{"ok": true, "size": -1}\n', "impossible payload size"),
        (b'{"ok": true, "size": ' + str(MAX_PAYLOAD_BYTES + 1).encode() + b"}\n", "impossible"),
        (b"x" * 100, "cut short"),  # no end of line, then the end of the pipe
    ],
)
def test_a_helper_that_breaks_the_protocol_fails_the_request_not_the_tray(
    stand_in: StandIn, answer: bytes, why: str
) -> None:
    body = f"import sys\nsys.stdin.buffer.readline()\nsys.stdout.buffer.write({answer!r})\n"
    helper = stand_in(body)
    with pytest.raises(HelperFailed, match=why):
        helper.call("sample")
    assert not helper.is_running(), "a helper out of step is ended"


def test_an_encoding_that_is_no_image_is_refused(stand_in: StandIn) -> None:
    body = (
        "import sys\nsys.stdin.buffer.readline()\n"
        'sys.stdout.buffer.write(b\'{"ok": true, "mime": "text/html", "size": 2}\\nhi\')\n'
    )
    with pytest.raises(HelperFailed, match="no image"):
        HelperEncoder(stand_in(body)).encode(1, 1, 3, b"\0\0\0", "screenshot")


def test_a_helper_that_cannot_start_is_a_clear_failure(tmp_path: Path) -> None:
    helper = EvidenceHelper([str(tmp_path / "missing-program")])
    with pytest.raises(HelperFailed, match="did not start"):
        helper.call("sample")


def test_a_bad_snapshot_answer_is_refused(stand_in: StandIn) -> None:
    body = (
        "import sys\nsys.stdin.buffer.readline()\n"
        'sys.stdout.buffer.write(b\'{"ok": true, "document": [1], "size": 0}\\n\')\n'
    )
    source = HelperDiagnostics(stand_in(body), DeskProbe(), Redactor(), lambda: "")
    with pytest.raises(HelperFailed, match="no snapshot"):
        source.local(None)


# --- the helper's own side -------------------------------------------------------------------


def _serve(*messages: bytes) -> tuple[int, list[tuple[dict[str, object], bytes]]]:
    out = io.BytesIO()
    status = serve(io.BytesIO(b"".join(messages)), out, json.dumps({"app_version": "1"}))
    out.seek(0)
    answers = []
    while (message := read_message(out)) is not None:
        answers.append(message)
    return status, answers


def _request(header: dict[str, object], payload: bytes = b"") -> bytes:
    out = io.BytesIO()
    write_message(out, header, payload)
    return out.getvalue()


def test_the_helper_answers_each_request_and_leaves_at_the_end_of_its_pipe() -> None:
    status, answers = _serve(
        _request({"op": "format_disk"}),
        _request({"op": "sample"}),
        _request({"op": "local", "sample": {"taken_at": "yesterday"}}),  # a fresh window then
        _request({"op": "encode", "width": 1, "height": 1, "stride": 3}, b"\x10\x20\x30"),
    )
    assert status == 0
    unknown, sampled, local, encoded = answers
    assert unknown[0]["ok"] is False and unknown[0]["code"] == "bad_request"
    assert unknown[0]["detail"] == "unknown operation 'format_disk'"
    assert sampled[0]["ok"] is True and isinstance(sampled[0]["sample"], dict)
    assert local[0]["ok"] is True and isinstance(local[0]["document"], dict)
    assert encoded[0]["mime"] == "image/webp" and encoded[1][:4] == b"RIFF"


def test_a_request_out_of_step_ends_the_helper() -> None:
    status, answers = _serve(b'{"op": "encode", "size": 10}\nabc')
    assert status == 2
    assert answers[0][0]["code"] == "bad_request"


def test_messages_keep_their_bounds() -> None:
    with pytest.raises(BadMessage, match="impossible"):
        read_message(io.BytesIO(b'{"size": 1.5}\n'))
    with pytest.raises(BadMessage, match="not JSON"):
        read_message(io.BytesIO(b"{\n"))
    assert read_message(io.BytesIO(b"")) is None
    assert read_message(io.BytesIO(_request({"a": 1}, b"xyz"))) == ({"a": 1, "size": 3}, b"xyz")


def test_a_secret_is_masked_before_the_user_name_inside_it(tmp_path: Path) -> None:
    # A password that contains the user's name, in no shape the patterns know: the
    # tray's own knowledge must reach the helper, or "[user]Sommer2024" is what leaks.
    secret = f"{getpass.getuser()}Sommer2024"
    log = tmp_path / "helpdesk-tray.log"
    log.write_text(f"WARNING the desk echoed {secret}\n", encoding="utf-8")
    helper = EvidenceHelper(evidence_helper_command({"log_file": str(log)}, frozen=False))
    redactor = Redactor()
    redactor.add_secret(secret)
    try:
        source = HelperDiagnostics(helper, DeskProbe(), redactor, lambda: "")
        tail = source.local(None)["log_tail"]
    finally:
        helper.close()
    assert tail == ["WARNING the desk echoed [redacted]"]


def test_the_proxy_password_travels_over_the_pipe_never_the_command_line(
    qtbot: QtBot, tmp_path: Path
) -> None:
    password = "S3cretPw-4711"
    settings = merge(
        [SettingsLayer("policy", {"network.proxy": f"http://anna:{password}@proxy.example:3128"})]
    )
    evidence = evidence_service(
        SyncTaskRunner(), settings, lambda: "https://desk.example", tmp_path / "log", Redactor()
    )
    snapshots: list[dict[str, object]] = []
    evidence.diagnostics_ready.connect(lambda _number, document: snapshots.append(document))
    try:
        evidence.prepare()  # starts the helper, as the tray menu does
        helpers = [c for c in psutil.Process().children() if "--evidence-helper" in c.cmdline()]
        assert len(helpers) == 1
        assert not any(password in part for part in helpers[0].cmdline())
        with qtbot.waitSignal(evidence.diagnostics_ready, timeout=20_000):
            evidence.collect_diagnostics()
    finally:
        evidence.shutdown()
        evidence.deleteLater()
    (document,) = snapshots
    network = document["network"]
    assert isinstance(network, dict)
    assert network["proxy"] == {"url": "http://proxy.example:3128", "source": "policy"}


def test_screens_too_large_for_the_helper_fail_clearly_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert MAX_PAYLOAD_BYTES >= 3 * 3840 * 2160 * 3, "three 4K screens side by side fit"
    monkeypatch.setattr(evidence_helper, "MAX_PAYLOAD_BYTES", 100)
    helper = EvidenceHelper(evidence_helper_command({}, frozen=False))
    with pytest.raises(HelperFailed, match="more than the helper takes"):
        HelperEncoder(helper).encode(10, 10, 30, b"\0" * 300, "screenshot")
    assert helper.started == 0


def test_after_cancel_no_helper_starts_again(helper: EvidenceHelper) -> None:
    helper.call("sample")
    helper.cancel()
    assert not helper.is_running()
    with pytest.raises(HelperFailed, match="quitting"):
        helper.call("sample")
    assert helper.started == 1
