"""Admin of training (registered through kpi/admin.py)."""
