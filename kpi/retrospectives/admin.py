"""Admin of retrospectives (registered through kpi/admin.py)."""
