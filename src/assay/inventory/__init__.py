"""The portfolio store: projects, their versions, components, findings and their triage.

Sits after ``matching`` in the import order (it stores what the matcher finds)
and before ``policy``; see docs/architecture.md.
"""
