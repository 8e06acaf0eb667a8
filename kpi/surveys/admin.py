"""Admin of surveys (registered through kpi/admin.py)."""
