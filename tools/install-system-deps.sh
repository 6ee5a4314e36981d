#!/usr/bin/env bash
# Debian packages the test suite, the virtual-display demo and the screenshots need.
# As root: installs what is missing. Otherwise: lists what is missing; the tests that
# need it then skip naming the package (or fail, under CI=true).
set -euo pipefail

PACKAGES=(
  xvfb trayer xdotool dbus openssl
  # Qt's xcb platform plugin (libxcb-icccm4 and libxcb-keysyms1 are missing on a stock image)
  libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0
  libxcb-sync1 libxcb-shm0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  # Request Tracker 5 for tests/support/rt_desk.py (docs/reference: request-tracker-5 §2).
  # w3m only silences RT's "no external HTML converter" warning.
  request-tracker5 rt5-db-sqlite rt5-standalone rt5-clients w3m
  # Redmine 5 for tests/support/redmine_desk.py (docs/reference: redmine-5), served by Puma.
  redmine redmine-sqlite puma
  # desktop-file-validate checks the log-in entries the tray writes (tests/adapters/test_autostart.py).
  desktop-file-utils
  # `make bundle`: PyInstaller strips with strip and the spec reads DT_NEEDED with objdump.
  binutils
  # The OS trust store the app checks a desk's TLS against (truststore; --self-check looks).
  ca-certificates
  # wixl (Debian packs it apart from msitools) builds the MSI (`make msi`); msiinfo from
  # msitools reads it back in tests/installer.
  wixl msitools
  # `make deb` and its install test (tests/e2e/test_deb_package.py): dpkg-deb and util-linux's
  # unshare/nsenter are essential; desktop-file-validate checks the desktop entries.
  desktop-file-utils
)
# `--screenshots`: also a headless browser, to picture a ticket as the agent sees it at the
# desk (tools/screenshots.py); the tests never need it.
if [ "${1:-}" = "--screenshots" ]; then
  PACKAGES+=(chromium)
fi

# Answers for request-tracker5's debconf questions. The test fixture brings its own
# config and SQLite database, so the package must not create a database or cron jobs.
RT_DEBCONF="\
request-tracker5 request-tracker5/rtname string helpdesk.test
request-tracker5 request-tracker5/organization string helpdesk.test
request-tracker5 request-tracker5/correspondaddress string rt@helpdesk.test
request-tracker5 request-tracker5/commentaddress string rt-comment@helpdesk.test
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
request-tracker5 request-tracker5/webpath string /
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/dbconfig-install boolean false
redmine redmine/instances/default/dbconfig-install boolean false"

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages (install as root, or the tests needing them skip):"
  echo "  apt-get install --no-install-recommends ${missing[*]}"
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
debconf-set-selections <<<"$RT_DEBCONF"
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" >/dev/null
