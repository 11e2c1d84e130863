"""Bounds on what an import may cost, so a hostile or mistaken file is refused early.

Read from the environment (the command line's `survey compute` runs without Django), with
defaults that hold a national import of a million rows:

| variable | default | bounds |
|---|---|---|
| `LAGESBILD_MAX_UPLOAD_MB` | 200 | the file as uploaded |
| `LAGESBILD_MAX_UNCOMPRESSED_MB` | 1000 | an XLSX file's parts once unzipped (zip bombs) |
| `LAGESBILD_MAX_ROWS` | 2000000 | data rows in one table |
"""

from __future__ import annotations

import os

MB = 1024 * 1024


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


def max_upload_bytes() -> int:
    return _int("LAGESBILD_MAX_UPLOAD_MB", 200) * MB


def max_uncompressed_bytes() -> int:
    return _int("LAGESBILD_MAX_UNCOMPRESSED_MB", 1000) * MB


def max_rows() -> int:
    return _int("LAGESBILD_MAX_ROWS", 2_000_000)


def too_large_message(size: int) -> str | None:
    """The refusal for an upload of ``size`` bytes, or None when it is within the bound."""
    limit = max_upload_bytes()
    if size <= limit:
        return None
    return f"filen är för stor ({size / MB:.0f} MB); högst {limit // MB} MB tas emot"
