"""Located errors: every problem names the file, row, column and the offending value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: Optional[int] = None
    column: Optional[str] = None
    value: Optional[str] = None
    path: Optional[str] = None  # inside a document: a JSON pointer or a FHIRPath

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn {self.column!r}")
        if self.path is not None:
            where.append(f"sökväg {self.path}")
        text = ", ".join(where) + f": {self.message}"
        if self.value is not None:
            text += f" (värde: {self.value!r})"
        return text

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "path": self.path,
            "message": self.message,
        }


class InputError(Exception):
    """One or more located problems with the input; nothing was written."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def one(cls, file: str, message: str, **where) -> "InputError":
        return cls([Problem(file, message, **where)])


class ProblemList:
    """Collects problems and raises them together, so one run reports them all."""

    def __init__(self, limit: int = 200):
        self.items: list[Problem] = []
        self.limit = limit

    def add(self, file: str, message: str, **where) -> None:
        if len(self.items) < self.limit:
            self.items.append(Problem(file, message, **where))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)
