"""I/O behind the core's ports: desks, settings files, keyring, logs."""
