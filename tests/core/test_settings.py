import pytest

from client.core.settings import (
    KEYS,
    Settings,
    SettingsLayer,
    desk_url_problem,
    flatten,
    in_quiet_hours,
    merge,
    quiet_hours_span,
    unflatten,
)


def test_defaults_without_layers() -> None:
    result = merge([])
    assert result.settings == Settings()
    assert result.locked == frozenset()
    assert result.problems == ()


def test_later_layers_win() -> None:
    result = merge(
        [
            SettingsLayer("policy", {"desk.url": "https://desk.example.org"}, locks=False),
            SettingsLayer("user", {"desk.url": "https://other.example.org", "ui.language": "nl"}),
        ]
    )
    assert result.settings.desk_url == "https://other.example.org"
    assert result.settings.language == "nl"


def test_keys_set_by_a_locking_layer_cannot_be_changed_later() -> None:
    result = merge(
        [
            SettingsLayer("IT policy", {"desk.url": "https://desk.example.org"}, locks=True),
            SettingsLayer("user", {"desk.url": "https://evil.example.org", "ui.language": "en"}),
            SettingsLayer("environment", {"desk.url": "https://env.example.org"}),
        ]
    )
    assert result.settings.desk_url == "https://desk.example.org"
    assert result.settings.language == "en"
    assert result.locked == {"desk.url"}
    assert len(result.problems) == 2
    assert all("IT policy" in p for p in result.problems)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("desk.url", "ftp://desk.example.org"),
        ("desk.url", "http://desk.example.org"),
        ("desk.url", "https://anna:secret@desk.example.org"),
        ("desk.url", "not a url"),
        ("desk.url", 42),
        ("desk.kind", "jira"),
        ("ui.language", "fr"),
        ("network.poll_interval_s", 5),
        ("network.poll_interval_s", True),
        ("network.poll_interval_s", "300"),
        ("network.read_timeout_s", 0),
        ("logging.level", "LOUD"),
        ("network.proxy", "socks5://proxy.example.org:1080"),  # needs a library we do not ship
        ("network.proxy", "proxy.example.org:3128"),
        ("network.proxy", 3128),
        ("reports.screenshots", "no"),
        ("notifications.quiet_hours", "22:00"),
        ("notifications.quiet_hours", 22),
        ("health.enabled", "no"),
        ("health.enabled", 0),
        ("health.tell_it", "always"),
        ("health.tell_it", ""),
        ("health.interval_min", 4),
        ("health.interval_min", 24 * 60 + 1),
        ("health.interval_min", 15.0),
        ("health.interval_min", True),
    ],
)
def test_invalid_values_are_ignored_with_a_reason(key: str, value: object) -> None:
    result = merge([SettingsLayer("user", {key: value})])
    assert getattr(result.settings, KEYS[key].field) == getattr(Settings(), KEYS[key].field)
    assert len(result.problems) == 1 and key in result.problems[0]


def test_an_invalid_policy_value_does_not_lock_the_key() -> None:
    result = merge(
        [
            SettingsLayer("IT policy", {"desk.url": "nonsense"}, locks=True),
            SettingsLayer("user", {"desk.url": "https://desk.example.org"}),
        ]
    )
    assert result.settings.desk_url == "https://desk.example.org"
    assert result.locked == frozenset()


def test_unknown_keys_are_reported() -> None:
    result = merge([SettingsLayer("user", {"desk.colour": "blue"})])
    assert result.settings == Settings()
    assert "unknown setting 'desk.colour'" in result.problems[0]


def test_integers_are_accepted_for_seconds() -> None:
    result = merge([SettingsLayer("user", {"network.connect_timeout_s": 3})])
    assert result.settings.connect_timeout_s == 3.0
    assert isinstance(result.settings.connect_timeout_s, float)


def test_flatten_and_unflatten_are_inverse() -> None:
    tree = {"desk": {"url": "https://d", "kind": "django-helpdesk"}, "ui": {"language": "nl"}}
    flat = flatten(tree)
    assert flat == {"desk.url": "https://d", "desk.kind": "django-helpdesk", "ui.language": "nl"}
    assert unflatten(flat) == tree


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://desk.example.org", None),
        ("https://desk.example.org:8443/helpdesk", None),
        ("http://127.0.0.1:8765", None),
        ("http://localhost:8765", None),
        ("http://[::1]:8765", None),
        ("http://desk.example.org", "url_not_https"),
        ("https://anna:pw@desk.example.org", "url_has_credentials"),
        ("https://anna@desk.example.org", "url_has_credentials"),
        ("desk.example.org", "url_invalid"),
        ("https://", "url_invalid"),
        ("https://[broken", "url_invalid"),
    ],
)
def test_desk_addresses(url: str, problem: str | None) -> None:
    assert desk_url_problem(url) == problem


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("network.proxy", ""),
        ("network.proxy", "http://proxy.example.org:3128"),
        ("reports.screenshots", False),
        ("notifications.quiet_hours", ""),
        ("notifications.quiet_hours", "22:00-07:00"),
        ("notifications.enabled", False),
        ("health.enabled", False),
        ("health.tell_it", "ask"),
        ("health.tell_it", "auto"),
        ("health.tell_it", "never"),
        ("health.interval_min", 5),
        ("health.interval_min", 24 * 60),
    ],
)
def test_valid_values_are_taken(key: str, value: object) -> None:
    result = merge([SettingsLayer("user", {key: value})])
    assert getattr(result.settings, KEYS[key].field) == value
    assert result.problems == ()


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("22:00-07:00", (1320, 420)),
        (" 9:30 - 17:05 ", (570, 1025)),
        ("00:00-23:59", (0, 1439)),
        ("", None),
        ("22:00", None),
        ("ten to six", None),
        ("24:00-07:00", None),
        ("22:00-07:60", None),
        ("08:00-08:00", None),  # zero length: never quiet
    ],
)
def test_quiet_hours_are_read_as_minutes_after_midnight(
    text: str, span: tuple[int, int] | None
) -> None:
    assert quiet_hours_span(text) == span


@pytest.mark.parametrize(
    ("span", "minute", "quiet"),
    [
        (None, 0, False),
        ((540, 1020), 539, False),
        ((540, 1020), 540, True),  # the start is inside the span
        ((540, 1020), 1019, True),
        ((540, 1020), 1020, False),  # the end is not
        ((1320, 420), 1319, False),
        ((1320, 420), 1320, True),
        ((1320, 420), 0, True),  # across midnight
        ((1320, 420), 419, True),
        ((1320, 420), 420, False),
    ],
)
def test_quiet_hours_may_cross_midnight(
    span: tuple[int, int] | None, minute: int, quiet: bool
) -> None:
    assert in_quiet_hours(span, minute) is quiet


def test_the_profile_comes_from_it_with_its_limits() -> None:
    result = merge(
        [
            SettingsLayer(
                "policy",
                {
                    "profile.url": "https://it.example.org/profile",
                    "profile.refresh_hours": 12,
                    "profile.max_age_days": 14,
                    "profile.department": "FIN",
                    "profile.photos": False,
                },
                locks=True,
            )
        ]
    )
    s = result.settings
    assert (s.profile_url, s.profile_refresh_hours, s.profile_max_age_days) == (
        "https://it.example.org/profile",
        12,
        14,
    )
    assert (s.profile_department, s.profile_photos) == ("FIN", False)
    bad = merge([SettingsLayer("policy", {"profile.url": "http://it.example.org/profile"})])
    assert bad.settings.profile_url == "" and bad.problems


def test_health_checks_wait_for_it_to_turn_them_on_and_then_ask_before_telling_it() -> None:
    # Off by default until a pass fits the idle memory budget (docs/performance.md).
    s = Settings()
    assert (s.health_enabled, s.health_tell_it, s.health_interval_min) == (False, "ask", 15)


def test_it_policy_can_lock_how_it_hears_of_health_findings() -> None:
    result = merge(
        [
            SettingsLayer("IT policy", {"health.tell_it": "auto"}, locks=True),
            SettingsLayer("user", {"health.tell_it": "never", "health.interval_min": 30}),
        ]
    )
    assert (result.settings.health_tell_it, result.settings.health_interval_min) == ("auto", 30)
    assert result.locked == {"health.tell_it"}
    assert len(result.problems) == 1 and "health.tell_it" in result.problems[0]


def test_every_key_says_what_it_means_for_it() -> None:
    # The admin guide's table and the Group Policy template are made from these.
    from client.core.settings import KEYS

    assert all(key.doc.strip() and len(key.doc) <= 100 for key in KEYS.values())
    assert "startup.autostart" in KEYS and Settings().autostart is True


def test_true_is_not_a_number_of_seconds() -> None:
    result = merge([SettingsLayer("IT policy", {"network.connect_timeout_s": True}, locks=True)])
    assert result.settings.connect_timeout_s == Settings().connect_timeout_s
    assert any("network.connect_timeout_s" in problem for problem in result.problems)


def test_a_users_value_under_a_locked_key_is_no_error() -> None:
    result = merge(
        [
            SettingsLayer("IT policy", {"desk.url": "https://it.example"}, locks=True),
            SettingsLayer("user", {"desk.url": "https://mine.example", "network.retries": 9}),
        ]
    )
    assert len(result.problems) == 2
    assert result.errors == ("user: invalid value 9 for 'network.retries' ignored",)
