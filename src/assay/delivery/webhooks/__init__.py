"""Webhooks in: GitHub and GitLab deliveries translated into delivery events.

``interface`` (what a translator is), one module per platform, ``registry``
(the explicit list), ``signatures`` (authenticating a delivery) and
``accumulate`` (folding a delivery into what earlier ones recorded).
"""
