"""Admin of scorecards (registered through kpi/admin.py)."""
