"""Incidents and complaints: exports read through a saved mapping, and their statistics."""
