"""Kept for compatibility: the registry lives in ``tinhso.panels`` (below every app)."""

from tinhso.panels import Panel, panel_register, panels_for

__all__ = ["Panel", "panel_register", "panels_for"]
