"""helpdesk-tray: the IT service desk one click away."""

__version__ = "0.1.0"
APP_NAME = "helpdesk-tray"

#: The first argument that makes this program the keyring helper (client.adapters.secrets).
KEYRING_HELPER_FLAG = "--keyring-helper"
#: The first argument that makes this program the evidence helper (client.adapters.evidence_helper).
EVIDENCE_HELPER_FLAG = "--evidence-helper"
#: The first argument that makes this program the profile helper (client.adapters.profile_helper).
PROFILE_HELPER_FLAG = "--profile-helper"
#: The first argument that makes this program the fix runner's helper (client.adapters.fix_runner).
FIX_HELPER_FLAG = "--fix-helper"
#: The first argument that makes this program the search helper (client.adapters.search_helper).
SEARCH_HELPER_FLAG = "--search-helper"
#: The first argument that makes this program the health helper (client.adapters.health_helper).
HEALTH_HELPER_FLAG = "--health-helper"
#: The first argument that makes this program the fix check helper (client.adapters.fix_checks).
FIX_CHECK_HELPER_FLAG = "--fix-check-helper"
#: The first argument that runs the app's own checks and prints them (client.self_check).
SELF_CHECK_FLAG = "--self-check"
#: The argument the installers' log-in entries start the tray with (client.adapters.autostart).
AUTOSTART_FLAG = "--autostart"
#: How the tray itself is started (``helpdesk-tray``, an installer's log-in entry, the
#: panel's keyboard shortcut): every other command is the command line's (client.cli).
TRAY_LAUNCHES: tuple[tuple[str, ...], ...] = ((), (AUTOSTART_FLAG,), ("show",))
