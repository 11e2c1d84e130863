"""Reading and checking an org-unit file before anything is written.

The file has one row per unit: ``code, name, kind, parent_code, valid_from, valid_to`` and
optionally ``successor_code`` ("this closed unit was succeeded by"). Rows may come in any
order: a parent may be defined later in the file. Every problem is located (file, row,
column, value) and all of them are reported together.

``read_units`` checks each row on its own (no database); ``resolve`` checks the rows against
each other and the database (parents, successors, cycles, the user's scope) and returns the
rows parents-first, ready to be written by ``services.import_units``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from django.core.exceptions import PermissionDenied

from lagesbild.ingest.errors import ProblemList
from lagesbild.ingest.tabular import Table

from . import permissions
from .models import CODE_RE, OrgUnit, Succession

K = OrgUnit.Kind
REQUIRED = ("code", "name", "kind", "parent_code", "valid_from", "valid_to")
OPTIONAL = ("successor_code",)
# Swedish column names are accepted as well (compared case-insensitively, spaces as "_").
HEADER_ALIASES = {
    "kod": "code", "enhetskod": "code", "namn": "name", "typ": "kind",
    "overordnad": "parent_code", "överordnad": "parent_code", "overordnad_kod": "parent_code",
    "överordnad_kod": "parent_code", "giltig_fran": "valid_from", "giltig_från": "valid_from",
    "giltig_till": "valid_to", "efterträdare": "successor_code", "eftertradare": "successor_code",
}
KIND_ALIASES = {
    "förvaltning": K.FORVALTNING, "forvaltning": K.FORVALTNING,
    "verksamhet": K.VERKSAMHET, "enhet": K.ENHET, "region": K.REGION, "kommun": K.KOMMUN,
}
# How deep in the hierarchy a kind sits; a unit may not lie above its parent's level.
RANK = {K.NATION: 0, K.REGION: 1, K.KOMMUN: 1, K.FORVALTNING: 2, K.VERKSAMHET: 3, K.ENHET: 4}
DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: 00:00(?::00)?)?$")  # Excel dates arrive with a time
# Words the organisation pages use in their URLs (organisation/<code>/); not usable as codes.
RESERVED_CODES = {"sok", "importera", "omorganisera"}
NAME_MAX = OrgUnit._meta.get_field("name").max_length
CODE_MAX = OrgUnit._meta.get_field("code").max_length


@dataclass
class UnitRow:
    """One parsed row; a field that failed its check is None (its problem is already recorded)."""

    row: int
    code: str
    name: Optional[str]
    kind: Optional[str]
    parent_code: Optional[str]
    valid_from: Optional[date]
    valid_to: Optional[date]
    successor_code: str = ""
    kind_text: str = field(default="", compare=False)  # the kind as written in the file
    depth: int = field(default=0, compare=False)  # steps to the first parent outside the file


@dataclass
class Parsed:
    rows: list[UnitRow]
    encoding: str
    n_rows: int
    problems: ProblemList  # row problems found so far; ``resolve`` adds to them and raises


def _header(table, file: str) -> dict[str, int]:
    """Map canonical column names to their index; raise when a required column is missing."""
    problems = ProblemList()
    index: dict[str, int] = {}
    for i, raw in enumerate(table.header):
        key = raw.strip().casefold().replace(" ", "_").replace("-", "_")
        key = HEADER_ALIASES.get(key, key)
        if key in index:
            problems.add(file, "kolumnen förekommer två gånger", row=1, column=raw, value=raw)
        elif key in REQUIRED or key in OPTIONAL:
            index[key] = i
    for name in REQUIRED:
        if name not in index:
            problems.add(
                file, f"kolumnen {name!r} saknas; filen ska ha kolumnerna {', '.join(REQUIRED)}",
                row=1, column=name,
            )
    problems.raise_if_any()
    return index


def parse_kind(value: str) -> Optional[str]:
    """'Förvaltning', 'forvaltning', 'ENHET' -> the stored kind; None when unknown."""
    return KIND_ALIASES.get(value.strip().casefold())


def parse_date(value: str) -> Optional[date]:
    """ISO date (YYYY-MM-DD); raise ValueError otherwise. Blank is None."""
    if not value:
        return None
    m = DATE_RE.match(value)
    if not m:
        raise ValueError(value)
    return date.fromisoformat(m.group(1))


def read_units(table: Table, file: str) -> Parsed:
    """Check each row of a table read by the import pipeline on its own. Row problems are
    collected in ``Parsed.problems``; missing columns raise InputError."""
    problems = ProblemList()
    col = _header(table, file)
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for n, values in table.rows:
        get = {name: values[i] for name, i in col.items()}
        code = get["code"]
        if not code:
            problems.add(file, "kod saknas", row=n, column="code", value=code)
            continue
        if not CODE_RE.match(code) or len(code) > CODE_MAX:
            problems.add(
                file, "ogiltig kod: endast bokstäver A–Z, siffror, punkt, bindestreck och understreck "
                f"(högst {CODE_MAX} tecken)", row=n, column="code", value=code,
            )
            continue
        if code.casefold() in RESERVED_CODES:
            problems.add(file, "koden är reserverad för sidornas adresser; välj en annan", row=n, column="code", value=code)
            continue
        if code.casefold() in seen:
            problems.add(file, f"koden förekommer redan på rad {seen[code.casefold()]}", row=n, column="code", value=code)
            continue
        seen[code.casefold()] = n
        rows.append(_row(file, n, code, get, problems))
    if not table.rows:
        problems.add(file, "filen har inga enheter, bara en rubrikrad", row=1)
    return Parsed(rows, table.encoding, len(table.rows), problems)


def _row(file: str, n: int, code: str, get: dict[str, str], problems: ProblemList) -> UnitRow:
    name = get["name"]
    if not name:
        problems.add(file, "namn saknas", row=n, column="name", value=name)
        name = None
    elif len(name) > NAME_MAX:
        problems.add(file, f"namnet är längre än {NAME_MAX} tecken", row=n, column="name", value=name)
        name = None
    kind = parse_kind(get["kind"])
    if kind is None:
        problems.add(
            file, "okänd typ; ange förvaltning, verksamhet, enhet, region eller kommun",
            row=n, column="kind", value=get["kind"],
        )
    parent_code = get["parent_code"]
    if not parent_code:
        problems.add(file, "överordnad enhet (parent_code) saknas", row=n, column="parent_code", value=parent_code)
        parent_code = None
    elif parent_code.casefold() == code.casefold():
        problems.add(file, "enheten kan inte vara sin egen överordnade", row=n, column="parent_code", value=parent_code)
        parent_code = None
    dates = {}
    for name_ in ("valid_from", "valid_to"):
        try:
            dates[name_] = parse_date(get[name_])
        except ValueError:
            problems.add(file, "ogiltigt datum; skriv ÅÅÅÅ-MM-DD", row=n, column=name_, value=get[name_])
            dates[name_] = None
    if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
        problems.add(
            file, f"giltig till ligger före giltig från ({dates['valid_from']:%Y-%m-%d})",
            row=n, column="valid_to", value=get["valid_to"],
        )
    successor = get.get("successor_code", "")
    if successor:
        if successor.casefold() == code.casefold():
            problems.add(file, "enheten kan inte efterträda sig själv", row=n, column="successor_code", value=successor)
            successor = ""
        elif not get["valid_to"]:
            problems.add(
                file, "en efterträdare kräver att enheten är nedlagd (giltig till)",
                row=n, column="successor_code", value=successor,
            )
            successor = ""
    return UnitRow(
        n, code, name, kind, parent_code, dates["valid_from"], dates["valid_to"], successor, kind_text=get["kind"]
    )


class _Scope:
    """Memoised 'may this actor administer units below X?' (the import's permission rule)."""

    def __init__(self, actor):
        self.actor = actor
        self.memo: dict[int, bool] = {}

    def admin_on(self, unit: OrgUnit) -> bool:
        if unit.pk not in self.memo:
            try:
                permissions.require(self.actor, permissions.ORG_ROLES, unit)
            except PermissionDenied:
                self.memo[unit.pk] = False
            else:
                self.memo[unit.pk] = True
        return self.memo[unit.pk]


def resolve(parsed: Parsed, file: str, actor) -> list[UnitRow]:
    """Check rows against each other and the database; return them parents-first.
    Raise InputError with every problem (including those ``read_units`` found)."""
    rows, problems = parsed.rows, parsed.problems
    by_code = {r.code: r for r in rows}
    wanted = {r.code for r in rows} | {r.parent_code for r in rows if r.parent_code} | {
        r.successor_code for r in rows if r.successor_code
    }
    db = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted).select_related("parent")}
    # Parent of every unit in the database chains we may walk, read from the materialised paths.
    db_parent: dict[str, Optional[str]] = {}
    for u in db.values():
        chain = u.path.rstrip("/").split("/")
        for i, c in enumerate(chain):
            db_parent.setdefault(c, chain[i - 1] if i else None)
    kinds = {u.code: u.kind for u in db.values()}
    kinds.update({r.code: r.kind for r in rows if r.kind})
    scope = _Scope(actor)

    def parent_of(code: str) -> Optional[str]:
        return by_code[code].parent_code if code in by_code else db_parent.get(code)

    for r in rows:
        _check_row(r, file, by_code, db, kinds, scope, problems)
    cyclic = _cycles(rows, parent_of)
    for r in rows:
        if r.code in cyclic:
            problems.add(
                file, f"överordnade enheter bildar en cykel: {cyclic[r.code]}",
                row=r.row, column="parent_code", value=r.parent_code,
            )
    _successor_cycles(rows, file, problems)
    problems.items.sort(key=lambda p: p.row or 0)  # in file order; stable within a row
    problems.raise_if_any()
    for r in rows:
        r.depth = _file_depth(r.code, by_code)
    return sorted(rows, key=lambda r: (r.depth, r.row))


def _check_row(r: UnitRow, file, by_code, db, kinds, scope: _Scope, problems: ProblemList) -> None:
    existing = db.get(r.code)
    if existing is not None:
        owner = existing.parent if existing.parent_id else existing
        if not scope.admin_on(owner):
            problems.add(
                file, "enheten finns redan och ligger utanför ditt administrationsområde",
                row=r.row, column="code", value=r.code,
            )
    if r.parent_code:
        if r.parent_code in by_code:
            pass  # checked on its own row
        elif r.parent_code in db:
            if not scope.admin_on(db[r.parent_code]):
                problems.add(
                    file, "den överordnade enheten ligger utanför ditt administrationsområde "
                    "(administratörsroll krävs)", row=r.row, column="parent_code", value=r.parent_code,
                )
        else:
            problems.add(
                file, "okänd överordnad enhet: koden finns varken i filen eller i databasen",
                row=r.row, column="parent_code", value=r.parent_code,
            )
        parent_kind = kinds.get(r.parent_code)
        if r.kind and parent_kind and not kind_fits(r.kind, parent_kind):
            problems.add(
                file, f"en {K(r.kind).label.lower()} kan inte ligga under en {K(parent_kind).label.lower()}",
                row=r.row, column="kind", value=r.kind_text,
            )
    if r.successor_code:
        if r.successor_code in by_code:
            pass
        elif r.successor_code in db:
            succ = db[r.successor_code]
            if not scope.admin_on(succ.parent if succ.parent_id else succ):
                problems.add(
                    file, "efterträdaren ligger utanför ditt administrationsområde",
                    row=r.row, column="successor_code", value=r.successor_code,
                )
        else:
            problems.add(
                file, "okänd efterträdare: koden finns varken i filen eller i databasen",
                row=r.row, column="successor_code", value=r.successor_code,
            )


def kind_fits(kind: str, parent_kind: str) -> bool:
    if RANK[kind] <= 1:  # regions and municipalities lie directly under the nation
        return parent_kind == K.NATION
    return RANK[kind] >= RANK[parent_kind] and parent_kind != K.NATION


def _cycles(rows: list[UnitRow], parent_of) -> dict[str, str]:
    """Codes of file rows that lie on a cycle of parents -> the cycle as text."""
    found: dict[str, str] = {}
    for r in rows:
        chain: list[str] = []
        cur: Optional[str] = r.code
        while cur is not None and cur not in chain and cur not in found and len(chain) < 10_000:
            chain.append(cur)
            cur = parent_of(cur)
        if cur is not None and cur in chain:
            loop = chain[chain.index(cur):]
            text = " → ".join(loop + [cur])
            for c in loop:
                found.setdefault(c, text)
    return found


def _successor_cycles(rows: list[UnitRow], file: str, problems: ProblemList) -> None:
    """A unit may not (transitively) succeed itself, counting successions already stored."""
    edges: dict[str, set[str]] = {}
    for pred, succ in Succession.objects.values_list("predecessor__code", "successor__code"):
        edges.setdefault(pred, set()).add(succ)
    for r in rows:
        if r.successor_code:
            edges.setdefault(r.code, set()).add(r.successor_code)
    for r in rows:
        if not r.successor_code:
            continue
        stack, seen = [r.successor_code], set()
        while stack:
            c = stack.pop()
            if c == r.code:
                problems.add(
                    file, "efterträdarna bildar en cykel: enheten efterträder till slut sig själv",
                    row=r.row, column="successor_code", value=r.successor_code,
                )
                break
            if c not in seen:
                seen.add(c)
                stack.extend(edges.get(c, ()))


def _file_depth(code: str, by_code: dict[str, UnitRow]) -> int:
    depth, cur = 0, by_code[code].parent_code
    while cur in by_code:
        depth += 1
        cur = by_code[cur].parent_code
    return depth
