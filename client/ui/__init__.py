"""Widgets: they show state and emit intents."""
