"""Pydantic models at the API edge: one module per resource (Create/Update/Read)."""
