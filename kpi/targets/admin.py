"""Admin of targets (registered through kpi/admin.py)."""
