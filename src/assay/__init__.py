"""assay: DevSecOps governance on one store."""

__version__ = "0.1.0"
