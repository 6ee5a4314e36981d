#!/bin/sh
# Add the office printer queue with its driver (needs an administrator).
set -eu
lpadmin -p office-printer -E -v ipp://printer.example.org/ipp/print -m everywhere
echo "Installed the office printer."
