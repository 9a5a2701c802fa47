"""Delivery metrics: DORA (dora.py), quality (quality.py), flow and root causes (flow.py,
rootcause.py); the shared contract is model.py."""
