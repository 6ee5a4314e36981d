"""Domain values and pure rules: no Qt, no HTTP, no I/O."""
