"""Long-lived behaviour on the Qt event loop (QtCore only)."""
