"""The snapshot on this very machine: valid, secret-free, and whole even when parts fail."""

from __future__ import annotations

import getpass
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import psutil
import pytest

from client.adapters.sysinfo import SnapshotOptions, SystemInfo
from client.core.diagnostics import assemble, to_json
from client.core.diagnostics_schema import SCHEMA
from client.core.redact import Redactor

TOKEN = "9f2c41d7e5b84a03a1c6f0e2d7b95c84aa13e6f7"


def _info(tmp_path: Path, desk_url: str = "http://127.0.0.1:9", **options: Any) -> SystemInfo:
    return SystemInfo(
        SnapshotOptions("1.2.3", log_file=tmp_path / "helpdesk-tray.log", **options),
        Redactor([TOKEN]),
        desk_url=lambda: desk_url,
    )


def _snapshot(info: SystemInfo) -> dict[str, Any]:
    return assemble(info.local(info.sample()), info.probe_desk())


@pytest.fixture
def listening() -> Iterator[int]:
    """A port on this computer that accepts connections."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_a_snapshot_of_this_machine_follows_the_schema(tmp_path: Path) -> None:
    (tmp_path / "helpdesk-tray.log").write_text("12:00 INFO started\n", encoding="utf-8")
    document = _snapshot(_info(tmp_path))
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["disks"] and document["memory"]["total_bytes"] > 0
    assert document["processes"]["by_memory"], "at least this test's own process"
    assert document["log_tail"] == ["12:00 INFO started"]
    assert document["app"]["version"] == "1.2.3"


def test_secrets_in_the_environment_or_the_log_never_reach_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_TRAY_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("https_proxy", "http://anna:hunter2pw@proxy.example.org:3128")
    (tmp_path / "helpdesk-tray.log").write_text(
        f"12:00 DEBUG GET /tickets Authorization: Token {TOKEN}\n"
        f"12:01 ERROR odd line quoting {TOKEN} verbatim\n"
        "12:02 DEBUG sign-in password=hunter2pw\n",
        encoding="utf-8",
    )
    text = to_json(_snapshot(_info(tmp_path, "https://desk.example.org"))).decode()
    for secret in (TOKEN, "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", "hunter2pw", "anna:"):
        assert secret not in text
    assert "proxy.example.org:3128" in text, "the proxy itself is worth knowing"


def test_names_are_included_only_when_policy_allows(tmp_path: Path) -> None:
    plain = _info(tmp_path).local()["computer"]
    named = _info(tmp_path, include_host_name=True, include_user_name=True).local()["computer"]
    assert "host_name" not in plain and "user_name" not in plain
    assert named["host_name"] == socket.gethostname() and named["user_name"]


def test_a_part_that_cannot_be_read_is_left_out_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*_args: object) -> None:
        raise psutil.AccessDenied(pid=1)

    real_usage = psutil.disk_usage

    def usage(path: str) -> Any:
        if path == "/":
            raise PermissionError(13, "Permission denied", path)
        return real_usage(path)

    monkeypatch.setattr(psutil, "sensors_battery", denied)
    monkeypatch.setattr(psutil, "net_if_addrs", denied)
    monkeypatch.setattr(psutil, "disk_usage", usage)
    document = _snapshot(_info(tmp_path))
    jsonschema.validate(document, SCHEMA)
    items = {note["item"] for note in document["notes"]}
    assert {"battery", "network interfaces", "disk /"} <= items
    assert document["battery"] is None and document["network"]["interfaces"] == []
    assert document["memory"] is not None, "the rest is all there"


def test_vanished_processes_are_skipped_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = _info(tmp_path)
    sample = info.sample()
    gone = next(iter(sample.cpu_seconds))
    sample.cpu_seconds[gone + 10_000_000] = 1.0  # a process that ended in the window
    document = info.local(sample)
    assert document["processes"] is not None and document["notes"] == []


def test_the_desk_is_reached_and_timed(tmp_path: Path, listening: int) -> None:
    desk = _info(tmp_path, f"http://127.0.0.1:{listening}").probe_desk()
    assert desk["reachable"] and desk["problem"] is None
    assert desk["addresses"] == ["127.0.0.1"] and desk["tcp_ms"] is not None


def test_a_desk_that_refuses_says_so(tmp_path: Path) -> None:
    desk = _info(tmp_path, "http://127.0.0.1:9").probe_desk()
    assert (desk["reachable"], desk["problem"]) == (False, "refused")


def test_a_name_that_does_not_resolve_says_so() -> None:
    def no_such_name(*_args: object, **_kwargs: object) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    info = SystemInfo(
        SnapshotOptions("1"), Redactor(), desk_url=lambda: "https://desk.invalid",
        resolve=no_such_name,
    )  # fmt: skip
    desk = info.probe_desk()
    assert not desk["reachable"] and desk["problem"].startswith("dns_failed")
    assert (desk["host"], desk["port"]) == ("desk.invalid", 443)


def test_the_check_goes_to_the_proxy_in_effect_never_with_its_password(
    tmp_path: Path, listening: int
) -> None:
    info = SystemInfo(
        SnapshotOptions("1"),
        Redactor(),
        desk_url=lambda: "https://desk.example.org",
        policy_proxy=f"http://it:secret@127.0.0.1:{listening}",
    )
    desk = info.probe_desk()
    assert (desk["host"], desk["port"], desk["via_proxy"]) == ("127.0.0.1", listening, True)
    proxy = info.local()["network"]["proxy"]
    assert proxy == {"url": f"http://127.0.0.1:{listening}", "source": "policy"}


def test_the_document_is_plain_json(tmp_path: Path) -> None:
    document = _snapshot(_info(tmp_path))
    assert json.loads(to_json(document)) == document


#: Proxy credentials that must never show (distinctive: this machine's own data may hold "pw").
PROXY_USER, PROXY_PASSWORD = "anna.proxyuser", "pw-Hq27xZ"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.usefixtures("no_system_proxy")
@pytest.mark.parametrize("source", ["policy", "system"])
def test_a_proxy_written_without_a_scheme_is_shown_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    proxy = "anna:pw@proxy:3128"
    if source == "system":
        monkeypatch.setenv("https_proxy", proxy)
    found = SystemInfo.proxy_in_effect(
        "https://desk.example.org", proxy if source == "policy" else ""
    )
    assert found == {"url": "http://proxy:3128", "source": source}
    text = json.dumps(found)
    assert "anna" not in text and "pw" not in text


@pytest.mark.usefixtures("no_system_proxy")
@pytest.mark.parametrize("source", ["policy", "system"])
def test_a_proxy_without_a_scheme_keeps_its_credentials_out_of_the_snapshot_and_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    proxy = f"{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:9"  # nobody listens there
    if source == "system":
        monkeypatch.setenv("https_proxy", proxy)
    info = SystemInfo(
        SnapshotOptions("1", log_file=tmp_path / "helpdesk-tray.log"),
        Redactor(),
        desk_url=lambda: "https://desk.example.org",
        policy_proxy=proxy if source == "policy" else "",
    )
    document = _snapshot(info)
    text = to_json(document).decode()
    assert PROXY_USER not in text and PROXY_PASSWORD not in text
    assert document["network"]["proxy"] == {"url": "http://127.0.0.1:9", "source": source}
    desk = document["network"]["desk"]
    assert (desk["host"], desk["port"], desk["via_proxy"]) == ("127.0.0.1", 9, True)
    assert desk["problem"] == "refused", "the proxy itself was tried"


#: A user and a computer whose names must stay out when the policy says so.
USER, HOST = "zorbanna", "zorb-laptop-7x"


@pytest.fixture
def private_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This computer as if it were the user's: their names in the log, a mount, a program..."""
    home = f"/home/{USER}"
    monkeypatch.setenv("HOME", home)
    monkeypatch.setenv("USERPROFILE", home)
    monkeypatch.setattr(getpass, "getuser", lambda: USER)
    monkeypatch.setattr(socket, "gethostname", lambda: HOST)
    log = tmp_path / "helpdesk-tray.log"
    log.write_text(
        f"12:00 INFO opened {home}/Documents/q3.xlsx\n"
        f"12:01 INFO signed in as {USER.upper()} on {HOST.upper()}.corp.example.org\n",
        encoding="utf-8",
    )
    real_partitions, real_usage = psutil.disk_partitions, psutil.disk_usage
    usb, nas = f"/media/{USER}/USB", f"{home}/nas"

    def partitions(all: bool = False) -> list[Any]:  # noqa: A002 - psutil's own name
        return [
            *real_partitions(all),
            SimpleNamespace(device="/dev/sdz1", mountpoint=usb, fstype="vfat", opts="rw"),
            SimpleNamespace(device="//nas/share", mountpoint=nas, fstype="cifs", opts="rw"),
        ]

    def usage(path: str) -> Any:
        if path == usb:
            return SimpleNamespace(total=1000, used=400, free=600, percent=40.0)
        if path == nas:
            raise PermissionError(13, "Permission denied", path)
        return real_usage(path)

    real_processes, real_interfaces = psutil.process_iter, psutil.net_if_addrs

    def processes(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from real_processes(*args, **kwargs)
        yield SimpleNamespace(
            pid=999_999_999,
            info={
                "name": f"{USER}-sync",
                "cpu_times": SimpleNamespace(user=1.0, system=0.0),
                "memory_info": SimpleNamespace(rss=10**15),  # first by memory
            },
        )

    monkeypatch.setattr(psutil, "disk_partitions", partitions)
    monkeypatch.setattr(psutil, "disk_usage", usage)
    monkeypatch.setattr(psutil, "process_iter", processes)
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: {**real_interfaces(), f"{USER}-vpn": []})
    return tmp_path


def test_names_against_policy_are_masked_everywhere(private_machine: Path) -> None:
    document = _snapshot(_info(private_machine))
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    text = to_json(document).decode().lower()
    for private in (USER, HOST, f"/home/{USER}"):
        assert private not in text
    assert "host_name" not in document["computer"] and "user_name" not in document["computer"]
    assert document["log_tail"][0] == "12:00 INFO opened ~/Documents/q3.xlsx"
    assert {"mount": "/media/[user]/USB"}.items() <= document["disks"][-1].items()
    assert {"item": "disk ~/nas"}.items() <= document["notes"][-1].items()


def test_names_the_policy_allows_are_kept(private_machine: Path) -> None:
    info = _info(private_machine, include_host_name=True, include_user_name=True)
    document = _snapshot(info)
    assert (document["computer"]["user_name"], document["computer"]["host_name"]) == (USER, HOST)
    assert document["log_tail"][0] == f"12:00 INFO opened /home/{USER}/Documents/q3.xlsx"


def test_very_short_names_are_not_masked_but_the_home_folder_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", "/home/al")
    monkeypatch.setenv("USERPROFILE", "/home/al")
    monkeypatch.setattr(getpass, "getuser", lambda: "al")
    monkeypatch.setattr(socket, "gethostname", lambda: "pc")
    (tmp_path / "helpdesk-tray.log").write_text(
        "12:00 INFO saved /home/al/report.txt; all fine on pc\n", encoding="utf-8"
    )
    assert _info(tmp_path).local()["log_tail"] == ["12:00 INFO saved ~/report.txt; all fine on pc"]


def test_the_busiest_programs_are_ones_that_were_busy(tmp_path: Path) -> None:
    info = _info(tmp_path)
    sample = info.sample()
    spin = time.process_time() + 0.05
    while time.process_time() < spin:  # this process is busy during the window
        pass
    processes = info.local(sample)["processes"]
    assert processes is not None
    assert processes["by_cpu"], "this very process used the processor"
    assert all(p["cpu_percent"] > 0 for p in processes["by_cpu"]), "no idle ones at 0.0 %"
    assert all(p["memory_bytes"] > 0 for p in processes["by_memory"])
