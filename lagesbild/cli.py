"""The `lagesbild` command line: `lagesbild <area> <verb>`.

`survey compute`, `survey report` and `patients compute` need no database: they read the files,
compute with the pure engine and write JSON, Excel or PowerPoint. Exit code 2 means bad input; the
located problems are on stderr and no output file is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from lagesbild.ingest.errors import InputError

EXIT_BAD_INPUT = 2


def _load(spec_path: str, responses_path: str, progress: bool):
    from lagesbild.ingest.readers import read_path
    from lagesbild.surveys import engine
    from lagesbild.surveys.responses import validate
    from lagesbild.surveys.spec import load_spec

    spec = load_spec(spec_path)
    responses = validate(spec, read_path(responses_path))
    if not progress:
        return engine.compute(spec, responses)
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("Beräknar indikatorer", total=len(spec.indicators))
        facts = engine.facts_for(spec, responses)
        results = []
        for ind in spec.indicators:
            results.append(engine.evaluate_indicator(ind, responses.respondents, facts))
            bar.advance(task)
    return engine.SurveyResult(spec, responses, tuple(results))


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _atomic_write(path: str, writer) -> None:
    """Write through a temporary file in the same folder, so a failure leaves no partial file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print_table(result) -> None:
    from rich.console import Console
    from rich.table import Table

    from lagesbild.calc import fmt

    table = Table(title=f"{result.spec.title} ({result.spec.id})")
    for name, justify in (("Indikator", "left"), ("Titel", "left"), ("Täljare", "right"), ("n", "right"),
                          ("Exkluderade", "right"), ("Andel", "right")):
        table.add_column(name, justify=justify)
    for r in result.indicators:
        table.add_row(r.spec.id, r.spec.title, fmt.number(r.numerator), fmt.number(r.n),
                      fmt.number(r.excluded), fmt.percent(r.percent))
    Console().print(table)


def _write_json(target: str, document) -> None:
    """The document as indented UTF-8 JSON to ``target``, or to standard output for "-" (a file is
    written whole or not at all)."""
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    if target == "-":
        sys.stdout.write(payload.decode("utf-8"))
    else:
        _atomic_write(target, lambda fh: fh.write(payload))


def survey_compute(args) -> int:
    result = _load(args.spec, args.responses, progress=sys.stderr.isatty())
    if args.json:
        _write_json(args.json, result.as_json())
    else:
        _print_table(result)
    return 0


def survey_report(args) -> int:
    if not (args.xlsx or args.pptx):
        print("Ange --xlsx och/eller --pptx.", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = _load(args.spec, args.responses, progress=sys.stderr.isatty())
    from lagesbild.surveys.presenters import present

    report = present(result)
    if args.xlsx:
        from lagesbild.reports.survey_xlsx import write_survey_xlsx

        _atomic_write(args.xlsx, lambda fh: write_survey_xlsx(report, fh))
    if args.pptx:
        from lagesbild.reports.survey_pptx import write_survey_pptx

        _atomic_write(args.pptx, lambda fh: write_survey_pptx(report, fh))
    return 0


def patients_compute(args) -> int:
    from lagesbild.patients.compute import compute_files

    result = compute_files(args.episodes, args.assessments, args.actions, args.as_of, args.measures)
    _write_json(args.json, result)
    return 0


def incidents_summary(args) -> int:
    from datetime import date

    from lagesbild.calc.incident_stats import summary
    from lagesbild.incidents import export
    from lagesbild.ingest.errors import Problem

    problems = []
    try:
        as_of = date.fromisoformat(args.as_of.strip())
    except ValueError:
        problems.append(Problem("--as-of", "skriv datumet som ÅÅÅÅ-MM-DD", value=args.as_of))
    incidents = []
    try:
        incidents = export.read_path(args.export, export.load_mapping(args.mapping))
    except InputError as exc:
        problems.extend(exc.problems)
    except OSError as exc:
        problems.append(Problem(args.mapping, f"filen kan inte läsas: {exc.strerror}"))
    if problems:
        raise InputError(problems)
    _write_json(args.json, summary(incidents, args.year, as_of))
    return 0


def incidents_import(args) -> int:
    """Import an incident export through its source's mapping (given, or saved before)."""
    _django()
    from lagesbild.incidents import services
    from lagesbild.incidents.models import Source
    from lagesbild.org.models import OrgUnit

    actor = _actor(args)
    if args.mapping:
        owner = None
        if args.unit:
            owner = OrgUnit.objects.filter(code=args.unit).first()
            if owner is None:
                raise UsageError(f"enheten {args.unit!r} finns inte")
        source = services.save_source(Path(args.mapping).stem, Path(args.mapping).read_text(encoding="utf-8"),
                                      actor=actor, owner=owner)
    else:
        source = Source.objects.filter(name=args.source).first()
        if source is None:
            raise UsageError(f"källan {args.source!r} finns inte; ange --mapping första gången")
    result = services.import_path(args.export, source=source, actor=actor)
    print(f"{source.name}: {result.created} nya, {result.updated} ändrade, {result.unchanged} oförändrade ärenden")
    return 0


def incidents_clusters(args) -> int:
    """Find the patterns in the descriptions anew (--refit: new ids) or assign the incidents that
    have none to the stored ones (--assign), with a progress bar on stderr."""
    _django()
    from rich.progress import Progress

    from lagesbild.incidents import clusters

    with Progress(transient=True, console=_stderr_console()) as bar:
        tasks = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        if args.refit:
            model = clusters.refit(actor=_actor(args), progress=progress, **({"k": args.k} if args.k else {}))
            message = f"{model}: mönstren har nya nummer"
        else:
            message = f"{clusters.assign_new(progress=progress)} avvikelser placerade i de sparade mönstren"
    print(message)
    return 0


def incidents_purge(args) -> int:
    _django()
    from lagesbild.incidents import services

    count = services.purge_descriptions(args.older_than_months, actor=_actor(args))
    print(f"Rensade beskrivningen i {count} ärenden.")
    return 0


def spc_compute(args) -> int:
    from lagesbild.spc.series import compute

    result = compute(args.series, direction=args.direction, target=args.target, fix_after=args.fix_after,
                     screen_outliers=not args.no_screen_outliers, run=args.run_length)
    _write_json(args.json, result)
    return 0


def spc_funnel(args) -> int:
    from lagesbild.spc.funnel_file import compute

    _write_json(args.json, compute(args.data, adjust=not args.no_overdispersion))
    return 0


def patients_import(args) -> int:
    """Import patient records (any of the three files); recompute the affected ward-months."""
    _django()
    from rich.console import Console

    from lagesbild.calc import localtime
    from lagesbild.patients import services

    sources = {}
    for name in services.FILES:
        path = getattr(args, name)
        sources[name] = (Path(path).read_bytes(), Path(path).name) if path else None
    if not any(sources.values()):
        raise UsageError("ange minst en av --episodes, --assessments, --actions och --movements")
    as_of = None
    if args.as_of:
        try:
            as_of = localtime.parse(args.as_of)
        except localtime.TimeError as exc:
            raise UsageError(f"--as-of: {exc}") from None
    actor = _actor(args)
    with Console(stderr=True).status("Importerar patientdata …"):
        result = services.import_records(sources, actor=actor, as_of=as_of)
    ep, obs = result.episodes, result.observations
    print(f"Patientdata: {result.outcome}. Vårdtillfällen: {ep['created']} nya, {ep['updated']} ändrade, "
          f"{ep['unchanged']} oförändrade, {ep['deleted']} borttagna. Riskbedömningar: {result.assessments['created']} "
          f"nya, {result.assessments['deleted']} borttagna. Åtgärder: {result.actions['created']} nya, "
          f"{result.actions['deleted']} borttagna. Mätvärden: {obs['created']} nya, {obs['updated']} ändrade, "
          f"{obs['deleted']} borttagna.")
    return 0


def patients_feed(args) -> int:
    """The demo's stream of admissions, assessments, actions and discharges (acts as the system)."""
    if not args.demo:
        raise UsageError("flödet finns bara för demodata: ange --demo")
    _django()
    from lagesbild.demo_region import feed

    print("Matar demoregionens avdelningar (avbryt med Ctrl+C) …", file=sys.stderr)
    try:
        feed.run(args.steps, args.interval, seed=args.seed)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    return 0


def patients_purge(args) -> int:
    """Delete episodes discharged longer ago than the retention; their derived figures stay."""
    _django()
    from lagesbild.patients import services

    count = services.purge(args.older_than_months, actor=_actor(args))
    print(f"Tog bort {count} vårdtillfällen utskrivna för mer än {args.older_than_months} månader sedan; "
          "mätvärdena som beräknats ur dem finns kvar.")
    return 0


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagesbild.settings")
    import django

    django.setup()


def survey_import(args) -> int:
    _django()

    from lagesbild.surveys.services import import_survey

    actor = _actor(args)
    spec, resp = Path(args.spec), Path(args.responses)
    out = import_survey(spec.read_bytes(), spec.name, resp.read_bytes(), resp.name, actor=actor)
    print(f"{out.survey.key}: {out.outcome}, {out.respondents} svarande")
    return 0


class UsageError(Exception):
    """A command line that cannot run as given: one line on stderr, exit 2."""


def _actor(args):
    """Who a changing command acts as: ``--user NAME`` (whose permissions are checked) or
    ``--system`` (the application itself, audited as such). Neither is a usage error."""
    from django.contrib.auth import get_user_model

    from lagesbild.core.actor import Actor

    if getattr(args, "system", False):
        return Actor.system()
    if not getattr(args, "user", None):
        raise UsageError("ange --user ANVÄNDARNAMN (vars behörighet prövas) eller --system")
    user = get_user_model().objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise UsageError(f"okänd eller inaktiv användare: {args.user}")
    return Actor.cli(user)


def data_import(args) -> int:
    """Import observations, targets, reference figures, org units or measures from a file."""
    _django()
    from rich.console import Console

    path = Path(args.file)
    actor = _actor(args)
    with Console(stderr=True).status(f"Importerar {path.name} …"):
        if args.kind == "units":
            from lagesbild.org.services import import_units

            result = import_units(path.read_bytes(), path.name, actor=actor)
        elif args.kind == "measures":
            from lagesbild.catalogue.services import import_measures

            result = import_measures(path.read_bytes(), path.name, actor=actor)
        else:
            from lagesbild.measurements import services

            if args.kind == "targets":
                result = services.import_targets(path.read_bytes(), path.name, actor=actor)
            else:
                result = services.import_observations(path.read_bytes(), path.name, actor=actor,
                                                      reference=args.kind == "reference")
    counts = getattr(result, "result", result)  # the catalogue nests its counts

    def count(name):
        value = getattr(counts, name, 0)
        return len(value) if isinstance(value, (list, tuple)) else value

    print(f"{path.name}: {result.outcome}, {count('created')} nya, {count('updated')} ändrade, "
          f"{count('unchanged')} oförändrade")
    return 0


def data_sums(args) -> int:
    """Rebuild or verify the stored subtree sums (after a bulk load or a hand-made SQL change)."""
    _django()
    from lagesbild.measurements import subtree_sums

    if args.verb == "rebuild-sums":
        subtree_sums.rebuild()
        print("Delsummorna är omräknade från observationerna.")
        return 0
    diffs = subtree_sums.verify()
    for unit_id, measure_id, start, granularity, stored, expected in diffs[:50]:
        print(f"enhet {unit_id}, mått {measure_id}, {start} ({granularity}): lagrat {stored}, ska vara {expected}",
              file=sys.stderr)
    if diffs:
        print(f"{len(diffs)} delsummor stämmer inte; kör 'lagesbild data rebuild-sums'.", file=sys.stderr)
        return 1
    print("Delsummorna stämmer med observationerna.")
    return 0


def catalogue_export(args) -> int:
    _django()
    from lagesbild.catalogue import io as catalogue_io
    from lagesbild.catalogue.selectors import latest_measures

    measures = list(latest_measures())
    data = catalogue_io.dump_yaml(measures).encode("utf-8") if args.format == "yaml" else catalogue_io.dump_csv(measures)
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        _atomic_write(args.out, lambda fh: fh.write(data))
    return 0


def demo_load(args) -> int:
    _django()
    from lagesbild.demo import load_demo

    for line in load_demo():
        print(line)
    return 0


def manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagesbild.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lagesbild manage", *args.rest])
    return 0


def _add_actor(parser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", help="användarnamn som importen görs som (behörigheten prövas)")
    who.add_argument("--system", action="store_true", help="gör importen som systemet (loggas som systemet)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lagesbild", description="Lägesbild – patientsäkerhet med indikatorer")
    areas = parser.add_subparsers(dest="area", required=True)

    survey = areas.add_parser("survey", help="enkäter och utvecklingsindikatorer").add_subparsers(dest="verb", required=True)
    c = survey.add_parser("compute", help="beräkna indikatorerna (ingen databas behövs)")
    c.add_argument("--spec", required=True, help="enkätspecifikation (YAML)")
    c.add_argument("--responses", required=True, help="svar (CSV eller XLSX)")
    c.add_argument("--json", help="skriv resultatet som JSON till filen (- för standard ut)")
    c.set_defaults(func=survey_compute)
    r = survey.add_parser("report", help="skriv Excel och PowerPoint (ingen databas behövs)")
    r.add_argument("--spec", required=True)
    r.add_argument("--responses", required=True)
    r.add_argument("--xlsx", help="Excelfil att skriva")
    r.add_argument("--pptx", help="PowerPoint-fil att skriva")
    r.set_defaults(func=survey_report)
    i = survey.add_parser("import", help="importera till databasen (allt eller inget)")
    i.add_argument("--spec", required=True)
    i.add_argument("--responses", required=True)
    _add_actor(i)
    i.set_defaults(func=survey_import)

    patients = areas.add_parser("patients", help="patientdata: riskbedömningar och åtgärder inom 24 timmar"
                                ).add_subparsers(dest="verb", required=True)
    p = patients.add_parser("compute", help="beräkna de fyra måtten ur journaluttag (ingen databas behövs)")
    p.add_argument("--episodes", required=True, help="vårdtillfällen (CSV eller XLSX)")
    p.add_argument("--assessments", required=True, help="riskbedömningar (CSV eller XLSX)")
    p.add_argument("--actions", required=True, help="åtgärder (CSV eller XLSX)")
    p.add_argument("--as-of", required=True, help="beräkningstidpunkt, svensk tid: \"ÅÅÅÅ-MM-DD TT:MM\"")
    p.add_argument("--json", required=True, help="skriv resultatet som JSON till filen (- för standard ut)")
    p.add_argument("--measures", help="måtten som YAML (standard: de fyra i lagesbild/patients/measures.yaml)")
    p.set_defaults(func=patients_compute)
    p = patients.add_parser("import", help="importera journaluttag till databasen (allt eller inget; stegvis)")
    p.add_argument("--episodes", help="vårdtillfällen (CSV eller XLSX; kolumnen deleted=Ja tar bort)")
    p.add_argument("--assessments", help="riskbedömningar (ersätter de nämnda vårdtillfällenas)")
    p.add_argument("--actions", help="åtgärder (ersätter de nämnda vårdtillfällenas)")
    p.add_argument("--movements", help="förflyttningar mellan avdelningar (ersätter de nämnda vårdtillfällenas)")
    p.add_argument("--as-of", help="beräkningstidpunkt för måtten, svensk tid (standard: nu)")
    _add_actor(p)
    p.set_defaults(func=patients_import)
    p = patients.add_parser("feed", help="demo: skriv in patienter och registrera bedömningar med några sekunders mellanrum")
    p.add_argument("--demo", action="store_true", help="mata demoregionens avdelningar (som systemet)")
    p.add_argument("--interval", type=float, default=5.0, help="sekunder mellan stegen (standard 5)")
    p.add_argument("--steps", type=int, default=None, help="antal steg (standard: tills Ctrl+C)")
    p.add_argument("--seed", type=int, default=None, help="slumpfrö, för samma följd varje gång")
    p.set_defaults(func=patients_feed)
    p = patients.add_parser("purge", help="gallra vårdtillfällen äldre än lagringstiden (måtten finns kvar)")
    p.add_argument("--older-than-months", type=int, required=True, help="utskrivna för mer än så här många månader sedan")
    _add_actor(p)
    p.set_defaults(func=patients_purge)

    inc = areas.add_parser("incidents", help="avvikelser och klagomål").add_subparsers(dest="verb", required=True)
    p = inc.add_parser("summary", help="ett års avvikelsestatistik ur en export (ingen databas behövs)")
    p.add_argument("--export", required=True, help="export från avvikelsesystemet (CSV eller XLSX)")
    p.add_argument("--mapping", required=True, help="mappning av exportens kolumner (YAML)")
    p.add_argument("--year", required=True, type=int, help="året (räknat på registreringsdatum)")
    p.add_argument("--as-of", required=True, help="beräkningsdag ÅÅÅÅ-MM-DD (för 28-dagarsmåttet)")
    p.add_argument("--json", required=True, help="skriv resultatet som JSON till filen (- för standard ut)")
    p.set_defaults(func=incidents_summary)
    p = inc.add_parser("import", help="importera en export till databasen (allt eller inget; samma fil igen ändrar inget)")
    p.add_argument("--export", required=True, help="export från avvikelsesystemet (CSV eller XLSX)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--mapping", help="mappning (YAML); sparas för källan så att nästa export läses likadant")
    which.add_argument("--source", help="en sparad källas namn")
    p.add_argument("--unit", help="med --mapping: enhetskoden för källans ägare (förval: din översta enhet; "
                                  "för --system hela installationen)")
    _add_actor(p)
    p.set_defaults(func=incidents_import)
    p = inc.add_parser("clusters", help="mönster i avvikelsernas fritext (räkna om eller placera nya ärenden)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--refit", action="store_true", help="hitta mönstren på nytt (nya nummer; uttryckligt val)")
    what.add_argument("--assign", action="store_true", help="placera ärenden utan mönster i de sparade mönstren")
    p.add_argument("--k", type=int, default=None, help="högst så många mönster vid --refit (förval 60)")
    _add_actor(p)
    p.set_defaults(func=incidents_clusters)
    p = inc.add_parser("purge", help="rensa fritexten i ärenden äldre än lagringstiden (ärendena och siffrorna finns kvar)")
    p.add_argument("--older-than-months", type=int, required=True, help="registrerade för mer än så här många månader sedan")
    _add_actor(p)
    p.set_defaults(func=incidents_purge)

    spc_area = areas.add_parser("spc", help="styrdiagram (SPC) för en tidsserie").add_subparsers(dest="verb", required=True)
    p = spc_area.add_parser("compute", help="medelvärde, styrgränser och signaler (ingen databas behövs)")
    p.add_argument("--series", required=True, help="serien: kolumnerna period, value och valfritt rebase (CSV eller XLSX)")
    p.add_argument("--json", required=True, help="skriv resultatet som JSON till filen (- för standard ut)")
    p.add_argument("--direction", choices=["higher", "lower", "neutral"], default="neutral",
                   help="vilket håll som är bättre (standard neutral)")
    p.add_argument("--target", help="målvärde, för säkerheten att nå målet")
    p.add_argument("--fix-after", type=int, help="lås medelvärde och gränser efter så här många punkter")
    p.add_argument("--no-screen-outliers", action="store_true", help="behåll extrema glidande variationsvidder")
    p.add_argument("--run-length", type=int, default=7, choices=[6, 7], help="punkter i trend och skift (standard 7)")
    p.set_defaults(func=spc_compute)
    p = spc_area.add_parser("funnel", help="trattdiagram för andelar: enheternas läge mot 95- och 99,8-procentsgränserna"
                            " (ingen databas behövs)")
    p.add_argument("--data", required=True, help="enheterna: kolumnerna unit, numerator och denominator (CSV eller XLSX)")
    p.add_argument("--json", required=True, help="skriv resultatet som JSON till filen (- för standard ut)")
    p.add_argument("--no-overdispersion", action="store_true", help="justera inte gränserna för överspridning (τ² = 0)")
    p.set_defaults(func=spc_funnel)

    data = areas.add_parser("data", help="importera data till databasen").add_subparsers(dest="verb", required=True)
    d = data.add_parser("import", help="importera en fil (allt eller inget; samma fil igen ändrar inget)")
    d.add_argument("--kind", required=True, choices=["observations", "targets", "reference", "units", "measures"],
                   help="observationer, mål, jämförelsedata (riket), organisationsenheter eller mått")
    d.add_argument("--file", required=True, help="CSV eller XLSX (mått även YAML)")
    _add_actor(d)
    d.set_defaults(func=data_import)
    data.add_parser("rebuild-sums", help="räkna om delsummorna per enhet från observationerna").set_defaults(func=data_sums)
    data.add_parser("verify-sums", help="jämför delsummorna med observationerna (slutkod 1 vid skillnad)"
                    ).set_defaults(func=data_sums)

    cat = areas.add_parser("catalogue", help="måttkatalogen").add_subparsers(dest="verb", required=True)
    e = cat.add_parser("export", help="exportera katalogen")
    e.add_argument("--format", choices=["yaml", "csv"], default="yaml")
    e.add_argument("--out", default="-", help="fil att skriva (- för standard ut)")
    e.set_defaults(func=catalogue_export)

    demo = areas.add_parser("demo", help="demodata").add_subparsers(dest="verb", required=True)
    demo.add_parser("load", help="ladda demodata i databasen").set_defaults(func=demo_load)

    m = areas.add_parser("manage", help="Djangos manage.py-kommandon")
    m.add_argument("rest", nargs=argparse.REMAINDER)
    m.set_defaults(func=manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"lagesbild: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"Avbrutet: {len(exc.problems)} problem i indata; inget skrevs.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a permission a service refused: one line, no traceback
        django_exceptions = sys.modules.get("django.core.exceptions")  # loaded only by database commands
        if django_exceptions is None or not isinstance(exc, django_exceptions.PermissionDenied):
            raise
        print(f"lagesbild: behörighet saknas: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
