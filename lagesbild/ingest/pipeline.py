"""The one import pipeline: every importer runs inside :func:`run`.

    with pipeline.run(KIND, file_name, data, actor, audit=...) as imp:
        table = imp.table()                      # the registered reader for the file's format
        rows = parse(table)                      # raise InputError with located problems
        record = imp.start(rows=len(rows), encoding=table.encoding)
        created, updated, unchanged = write(rows, record)
        imp.finish(created=created, updated=updated, unchanged=unchanged)

The block runs in one transaction. Leaving it with an ``InputError`` rolls everything back and
records a refused ``Import`` (hash, actor, problems) in its own transaction before the error is
raised again; leaving it normally stores the counts and the outcome (``unchanged`` when nothing
was created or updated). ``audit`` (from the layer that owns the audit log) is called once with
``(action_suffix, record, detail)`` for the outcome, so no importer writes its own provenance.
"""

from __future__ import annotations

import logging
from typing import Callable, Optional

from django.db import connection, transaction

from lagesbild.core.actor import Actor

from .errors import InputError
from .models import Import, sha256
from .readers import read_table
from .tabular import Table

log = logging.getLogger(__name__)

AuditHook = Callable[[str, Import, dict], None]


class ImportRun:
    def __init__(self, kind: str, file_name: str, data: bytes, actor: Actor, audit: Optional[AuditHook] = None,
                 target: str = "") -> None:
        if not isinstance(actor, Actor):
            raise TypeError("an import needs an Actor")
        self.kind = kind
        self.file_name = (file_name or "")[:255]
        self.data = data
        self.actor = actor
        self.audit = audit
        self.target = target
        self.record: Optional[Import] = None
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self._atomic = transaction.atomic()
        self._sha: Optional[str] = None

    @property
    def sha256(self) -> str:
        if self._sha is None:
            self._sha = sha256(self.data)
        return self._sha

    # --- inside the block -----------------------------------------------------------------

    def table(self, keep_lines: bool = False) -> Table:
        return read_table(self.data, self.file_name, keep_lines=keep_lines)

    def start(self, rows: int = 0, encoding: str = "", target: str = "") -> Import:
        """Create the Import every stored fact of this run points to."""
        self.record = Import.objects.create(
            kind=self.kind, file_name=self.file_name, sha256=self.sha256, size=len(self.data), encoding=encoding,
            uploaded_by=self.actor.authenticated_user, channel=self.actor.channel, rows=rows,
            outcome=Import.Outcome.OK, target=(target or self.target)[:200],
        )
        return self.record

    def finish(self, created: int = 0, updated: int = 0, unchanged: int = 0, outcome: str | None = None) -> Import:
        if self.record is None:
            self.start()
        self.counts = {"created": created, "updated": updated, "unchanged": unchanged}
        if outcome is None:
            outcome = Import.Outcome.OK if created or updated else Import.Outcome.UNCHANGED
        Import.objects.filter(pk=self.record.pk).update(outcome=outcome, **self.counts)
        self.record.outcome = outcome
        for k, v in self.counts.items():
            setattr(self.record, k, v)
        return self.record

    # --- the context manager -------------------------------------------------------------

    def __enter__(self) -> "ImportRun":
        self._atomic.__enter__()
        _claim_sqlite_writer()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._atomic.__exit__(exc_type, exc, tb)
        if exc_type is None:
            if self.record is None:  # a block that wrote nothing still leaves its trace
                with transaction.atomic():
                    self.start()
                    self.finish()
            log.info("%s import %s: %s", self.kind, self.record.outcome, self.counts)
            if self.audit is not None:
                self.audit("", self.record, {"outcome": self.record.outcome, "rows": self.record.rows, **self.counts})
            return False
        if isinstance(exc, InputError):
            self.record = refused(self.kind, self.file_name, self.data, self.actor, exc, target=self.target)
            log.info("%s import refused: %d problems", self.kind, len(exc.problems))
            if self.audit is not None:
                self.audit(".refused", self.record, {"problems": len(exc.problems)})
        return False


def _claim_sqlite_writer() -> None:
    """SQLite has one writer: an import claims it before its first read, so a concurrent import
    waits for the busy timeout instead of failing to upgrade its read lock ("database is
    locked"). A write that changes nothing takes the lock; PostgreSQL needs nothing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {Import._meta.db_table} WHERE 0 = 1")


def run(kind: str, file_name: str, data: bytes, actor: Actor, audit: Optional[AuditHook] = None,
        target: str = "") -> ImportRun:
    return ImportRun(kind, file_name, data, actor, audit=audit, target=target)


def refused(kind: str, file_name: str, data: bytes, actor: Actor, exc: InputError, target: str = "") -> Import:
    """Record a refused import (no facts written) with its located problems."""
    with transaction.atomic():
        return Import.objects.create(
            kind=kind, file_name=(file_name or "")[:255], sha256=sha256(data), size=len(data),
            uploaded_by=actor.authenticated_user, channel=actor.channel, outcome=Import.Outcome.FAILED,
            problems=[p.as_dict() for p in exc.problems], target=target[:200],
        )
