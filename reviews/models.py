"""Models of the reviews app arrive with the issue that builds it (see README, Roadmap)."""
