"""Models of the kpi app arrive with the issue that builds it (see README, Roadmap)."""
