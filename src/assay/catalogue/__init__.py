"""The component catalogue: which open-source components the organisation allows, and
their lifecycle from request through vetting and approval to deprecation and ban."""
