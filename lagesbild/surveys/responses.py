"""Validate a responses table against a survey specification."""

from __future__ import annotations

from dataclasses import dataclass, field

from lagesbild.ingest.errors import ProblemList
from lagesbild.ingest.tabular import Table

from .spec import SurveySpec, norm

RESPONDENT = "respondent"
RESPONDENT_TYPE = "respondent_type"


@dataclass(frozen=True)
class Respondent:
    key: str
    type: str
    row: int
    answers: dict[str, str]  # question id as in the spec -> the answer as written (trimmed)


@dataclass
class Responses:
    file: str
    respondents: list[Respondent]
    outside_population: list[Respondent] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # question columns, spec spelling
    encoding: str = ""


def validate(spec: SurveySpec, table: Table) -> Responses:
    """Check the table against the spec and return the respondents in the population.

    Every problem is collected and raised together as an InputError.
    """
    file = table.file
    problems = ProblemList()
    by_fold: dict[str, int] = {}
    for i, name in enumerate(table.header):
        if not name:
            problems.add(file, "kolumnrubriken är tom", row=1, column=f"#{i + 1}")
            continue
        if norm(name) in by_fold:
            problems.add(file, "kolumnrubriken förekommer två gånger", row=1, column=name)
        by_fold.setdefault(norm(name), i)

    if RESPONDENT not in by_fold:
        problems.add(file, f"kolumnen {RESPONDENT!r} saknas", row=1)
    if spec.population and RESPONDENT_TYPE not in by_fold:
        problems.add(
            file, f"kolumnen {RESPONDENT_TYPE!r} saknas men enkäten avgränsar population={spec.population!r}", row=1
        )
    for ind in spec.indicators:
        for qid in ind.questions:
            if norm(qid) not in by_fold:
                problems.add(file, f"kolumnen för fråga {qid!r} saknas; den används av indikator {ind.id}", row=1, column=qid)
    problems.raise_if_any()

    # Question columns are named as in the spec when it declares them, else as in the file.
    spec_names = {norm(q): q for q in spec.questions}
    for ind in spec.indicators:
        for qid in ind.questions:
            spec_names.setdefault(norm(qid), qid)
    columns: list[tuple[str, int]] = []
    for name in table.header:
        fold = norm(name) if name else ""
        if fold and fold not in (RESPONDENT, RESPONDENT_TYPE):
            columns.append((spec_names.get(fold, name), by_fold[fold]))

    missing = spec.missing_normalised
    allowed = {
        qid: spec.questions[qid].normalised_options | missing
        for qid, _ in columns
        if qid in spec.questions and spec.questions[qid].options
    }
    i_resp = by_fold[RESPONDENT]
    i_type = by_fold.get(RESPONDENT_TYPE)
    population = norm(spec.population) if spec.population else None

    seen: dict[str, int] = {}
    kept: list[Respondent] = []
    outside: list[Respondent] = []
    for row_no, values in table.rows:
        key = values[i_resp]
        if not key:
            problems.add(file, "respondent saknas", row=row_no, column=table.header[i_resp])
            continue
        if norm(key) in seen:
            problems.add(
                file,
                f"respondenten förekommer redan på rad {seen[norm(key)]}",
                row=row_no,
                column=table.header[i_resp],
                value=key,
            )
            continue
        seen[norm(key)] = row_no
        answers = {}
        for qid, idx in columns:
            answer = values[idx]
            if answer and qid in allowed and norm(answer) not in allowed[qid]:
                problems.add(
                    file,
                    f"svaret finns inte bland frågans alternativ ({', '.join(spec.questions[qid].options)})",
                    row=row_no,
                    column=table.header[idx],
                    value=answer,
                )
            answers[qid] = answer
        rtype = values[i_type] if i_type is not None else ""
        r = Respondent(key, rtype, row_no, answers)
        (kept if population is None or norm(rtype) == population else outside).append(r)
    if not table.rows:
        problems.add(file, "filen har rubrikrad men inga svar", row=1)
    problems.raise_if_any()
    return Responses(file, kept, outside, [qid for qid, _ in columns], table.encoding)
