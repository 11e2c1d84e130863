"""The arithmetic of indicators: pure Python, no Django import.

Everything here takes integers, strings and Decimals and returns the same, so it
can be tested and reused on its own. Rounding happens once, at presentation.
"""
