#!/bin/bash
# Exit 1 when the trash holds files older than $1 days (the problem); 0 when not.
days="${1:-30}"
old=$(find "$HOME/.Trash" -mindepth 1 -maxdepth 1 -mtime "+$days" 2>/dev/null | wc -l)
echo "$old item(s) in the trash for more than $days days."
if [ "$old" -gt 0 ]; then
    exit 1
fi
exit 0
