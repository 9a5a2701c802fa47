"""The gate report's formats: one interface, one module per format, an explicit registry."""
