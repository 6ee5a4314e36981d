#!/bin/sh
# Delete for good what has been in the trash for more than $1 days.
set -eu
days="${1:-30}"
trash="${XDG_DATA_HOME:-$HOME/.local/share}/Trash"
find "$trash/info" -name '*.trashinfo' -mtime "+$days" | while IFS= read -r info; do
    name=$(basename "$info" .trashinfo)
    rm -rf -- "$trash/files/$name"
    rm -f -- "$info"
    echo "Deleted $name from the trash."
done
