"""The notes method under evaluation (see method.py)."""

from .method import draft

__all__ = ["draft"]
