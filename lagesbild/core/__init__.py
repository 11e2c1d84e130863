"""The vocabulary every layer shares; no Django import."""
