"""The CI gate: evaluate a project's components against policies and render the verdict.

:mod:`report` holds the value every view renders (:class:`~report.GateReport`, with
its versioned JSON form); :mod:`run` is the local gate (read, match, gather facts,
evaluate); :mod:`service` the server's (an uploaded SBOM, the organisation's policies
and waivers); :mod:`formats` the report formats (table, JSON, SARIF, JUnit, Markdown).
"""
