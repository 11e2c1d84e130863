"""YAML a user wrote (a survey specification, a catalogue, measures, a mapping), read into Python
data with a located problem when it cannot be read."""

from __future__ import annotations

import yaml

from .errors import InputError


def load(text: str, file: str, loader: type = yaml.SafeLoader):
    """The document in ``text``; InputError at the line (and column) where the YAML breaks."""
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader or a subclass of it
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.one(file, f"YAML går inte att läsa: {problem}" + (f" (kolumn {mark.column + 1})" if mark else ""),
                             row=mark.line + 1 if mark else None) from None
