#!/bin/sh
# Exit 1 when the trash holds files deleted more than $1 days ago (the problem); 0 when not.
days="${1:-30}"
trash="${XDG_DATA_HOME:-$HOME/.local/share}/Trash"
if [ ! -d "$trash/info" ]; then
    echo "The trash is empty."
    exit 0
fi
old=$(find "$trash/info" -name '*.trashinfo' -mtime "+$days" | wc -l)
echo "$old item(s) in the trash for more than $days days."
if [ "$old" -gt 0 ]; then
    exit 1
fi
exit 0
