"""Models of the monitoring app, one module per concern."""

from monitoring.models.target import Target

__all__ = ["Target"]
