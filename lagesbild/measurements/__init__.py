"""Observations, targets, roll-up and dashboards."""
