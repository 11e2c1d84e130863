"""Survey specifications, responses and the development indicators computed from them.

spec.py, responses.py and engine.py are pure Python (no Django) so the command line can
compute without a database; models.py, services.py and selectors.py hold the stored side.
"""
