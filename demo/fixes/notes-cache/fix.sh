#!/bin/sh
# Delete what is inside the Notes cache; the folder itself stays.
set -eu
if [ "$(uname -s)" = Darwin ]; then
    cache="$HOME/Library/Caches/org.example.notes"
else
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/example-notes"
fi
find "$cache" -mindepth 1 -delete
echo "Emptied $cache."
