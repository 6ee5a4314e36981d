import pytest

from client.core.redact import MASK, NameMask, Redactor

SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Token {SECRET}",
        f"{{'Authorization': 'Token {SECRET}', 'Accept': 'application/json'}}",
        f"authorization=Bearer {SECRET}",
        f"GET /api?token={SECRET}&page=2",
        f'{{"token": "{SECRET}", "person": {{}}}}',
        f"password={SECRET}",
        f"Cookie: sessionid={SECRET}; csrftoken=abc",
        f"Set-Cookie: sessionid={SECRET}",
        f"using Token {SECRET} for anna",
        f"x-api-key: {SECRET}",
    ],
)
def test_secret_shapes_are_masked(text: str) -> None:
    redacted = Redactor().redact(text)
    assert SECRET not in redacted
    assert MASK in redacted


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    redactor = Redactor()
    redactor.add_secret("hunter2-but-longer")
    assert redactor.redact("oops hunter2-but-longer leaked") == f"oops {MASK} leaked"


def test_ordinary_text_is_left_alone() -> None:
    text = "GET /api/tray/v1/tickets -> 200 (1234 bytes); ticket FIN-12 moved to Resolved"
    assert Redactor().redact(text) == text


def test_too_short_values_are_not_treated_as_secrets() -> None:
    redactor = Redactor(["abc"])
    assert redactor.redact("abc abc") == "abc abc"


def test_secrets_can_be_added_while_other_threads_redact() -> None:
    import threading

    redactor = Redactor()
    errors: list[BaseException] = []
    stop = threading.Event()

    def log_forever() -> None:
        try:
            while not stop.is_set():
                redactor.redact("Authorization: Token abc")
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=log_forever) for _ in range(3)]
    for thread in threads:
        thread.start()
    for number in range(500):
        redactor.add_secret(f"secret-number-{number}")
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert redactor.redact("x secret-number-499 y") == f"x {MASK} y"


NAMES = NameMask({"/home/anna": "~", "anna": "[user]", "anna-laptop": "[host]", "": "[never]"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("opened /home/anna/q3.xlsx", "opened ~/q3.xlsx"),
        ("/media/anna/USB", "/media/[user]/USB"),
        ("ANNA on Anna-Laptop.corp", "[user] on [host].corp"),  # any case; the longest whole
        ("nothing private here", "nothing private here"),
    ],
)
def test_names_are_replaced_in_one_pass_longest_first(text: str, expected: str) -> None:
    assert NAMES.text(text) == expected


def test_every_string_of_a_document_is_masked_and_the_rest_kept() -> None:
    document = {
        "disks": [{"mount": "/media/anna", "total_bytes": 5}],
        "log_tail": ("anna",),
        "battery": None,
        "plugged_in": True,
    }
    assert NAMES.value(document) == {
        "disks": [{"mount": "/media/[user]", "total_bytes": 5}],
        "log_tail": ["[user]"],
        "battery": None,
        "plugged_in": True,
    }


def test_a_placeholder_is_never_masked_again() -> None:
    assert NameMask({"anna": "[user]", "user": "[host]"}).text("anna user") == "[user] [host]"


def test_without_names_nothing_changes() -> None:
    assert NameMask({}).value({"a": ["anna"]}) == {"a": ["anna"]}


def test_the_known_secrets_can_be_handed_on_longest_first() -> None:
    redactor = Redactor(["short-one", "a-much-longer-secret"])
    redactor.add_secret("")
    assert redactor.secrets == ("a-much-longer-secret", "short-one")
    assert Redactor(redactor.secrets).redact("x short-one y") == "x [redacted] y"
