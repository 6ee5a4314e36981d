"""Developer tools: the virtual desktop, screenshots, system packages."""
