"""Service-desk adapters, one module per desk."""
