#!/bin/sh
# Exit 1 when the Notes cache holds more than 10 MB (the problem), 0 when it does not.
if [ "$(uname -s)" = Darwin ]; then
    cache="$HOME/Library/Caches/org.example.notes"
else
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/example-notes"
fi
if [ ! -d "$cache" ]; then
    echo "No Notes cache at $cache."
    exit 0
fi
size_kb=$(du -sk "$cache" | cut -f1)
echo "The Notes cache holds ${size_kb} KB."
if [ "$size_kb" -gt 10240 ]; then
    exit 1
fi
exit 0
