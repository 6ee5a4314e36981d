#!/bin/sh
# Exit 1 when no office printer queue uses the driver (the problem); 0 when one does.
if lpstat -v 2>/dev/null | grep -q 'office-printer'; then
    echo "The office printer is installed."
    exit 0
fi
echo "No office printer queue."
exit 1
