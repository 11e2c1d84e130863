"""The improvement cycle: analyses, actions, follow-ups and action plans."""
