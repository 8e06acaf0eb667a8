"""Demos, trials, POCs and demo-equipment loans (R-DEMO-1..3)."""
