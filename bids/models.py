"""Models of the bids app arrive with the issue that builds it (see README, Roadmap)."""
