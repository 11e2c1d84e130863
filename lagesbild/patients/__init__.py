"""Patient-level data: episodes, risk assessments and preventive actions from the record, and the
process measures computed from them (issue 10).

records.py and compute.py are pure Python (no Django at module level), so `lagesbild patients
compute` runs without a database; the stored side (an app with models) comes later.
"""
