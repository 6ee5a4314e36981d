#!/bin/bash
# Delete for good what has been in the trash for more than $1 days.
set -eu
days="${1:-30}"
find "$HOME/.Trash" -mindepth 1 -maxdepth 1 -mtime "+$days" -exec rm -rf -- {} +
echo "Deleted the items older than $days days from the trash."
