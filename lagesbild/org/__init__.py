"""Organisational units over time, users' scopes and the audit log."""
