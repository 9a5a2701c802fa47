"""Policies as code: conditions over components and projects, verdicts, waivers, the CI gate.

Pure evaluation lives in :mod:`model`, :mod:`conditions`, :mod:`engine`; the
server's store of policies, violations and waivers in :mod:`store` and the
services beside it; the CI gate in :mod:`gate`.
"""
