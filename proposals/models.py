"""Models of the proposals app arrive with the issue that builds it (see README, Roadmap)."""
