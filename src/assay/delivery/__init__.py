"""Delivery performance: the event model, its store, and the importers that feed it."""
