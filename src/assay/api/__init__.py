"""The REST API (``/api/v1``), the app factory, and what every request shares."""
