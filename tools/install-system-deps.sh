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
)

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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
