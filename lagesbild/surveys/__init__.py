"""Survey specifications, responses and the development indicators computed from them.

spec.py, responses.py, engine.py and presenters.py are pure Python (no Django) so the command
line can compute and write reports without a database; models.py, services.py and selectors.py
hold the stored side.
"""
