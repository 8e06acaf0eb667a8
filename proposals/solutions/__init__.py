"""Solutions and quotes (R-SOL-1..6, R-QUOTE-1): versions with sections, quote lines and the
requirement mapping; the version's lifecycle (proposals/solutions/transitions.py) and its
review (proposals/review_subjects.py)."""
