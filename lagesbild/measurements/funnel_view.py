"""The funnel plot of a share measure: the children of a unit (or the regions of the nation)
compared with FunnelPlotR's proportion method (``calc.funnel``), assembled once for the page and
the API.

Each child's figure is Σnumerator / Σdenominator over its subtree for the period, summed by the
database (``selectors.child_values``: the children's own rows and their stored subtree sums, or
one grouped query over the leaves for today's structure). A child without rows, or whose summed
denominator is 0 or missing, is listed as "saknar data" and not plotted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from lagesbild.calc import fmt, funnel as fp, ratio
from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts

from . import selectors
from .presenters import KIND_PLURALS, Figure, format_value

NB = "\u00a0"
# At the nation: which of its children are compared (regions and municipalities both lie directly
# under it; comparing them with each other would not be fair).
COMPARE = {"regioner": OrgUnit.Kind.REGION, "kommuner": OrgUnit.Kind.KOMMUN}
DEFAULT_COMPARE = "regioner"
NO_DATA = "saknar data"
INVALID = "kan inte jämföras (täljaren är större än nämnaren)"
MIN_UNITS = 2  # a funnel compares: with fewer units there is nothing to compare with

# Where a unit lies against one set of limits, from the top down.
HIGH998, HIGH95, INSIDE, LOW95, LOW998 = "high998", "high95", "inside", "low95", "low998"
POSITION_TEXT = {
    HIGH998: f"över 99,8{NB}%", HIGH95: f"över 95{NB}%", INSIDE: "inom",
    LOW95: f"under 95{NB}%", LOW998: f"under 99,8{NB}%",
}
POINT_CLASS = {HIGH998: "outside998", LOW998: "outside998", HIGH95: "outside95", LOW95: "outside95", INSIDE: "inside"}
LINE_NAMES = {
    "mean": "Medelvärde för alla enheter (målvärde i tratten)",
    "u95": f"95{NB}%-gräns, ojusterad",
    "u998": f"99,8{NB}%-gräns, ojusterad",
    "a95": f"95{NB}%-gräns, justerad för överspridning",
    "a998": f"99,8{NB}%-gräns, justerad för överspridning",
    "inside": "Enhet inom gränserna",
    "outside95": f"Enhet utanför 95{NB}% men inom 99,8{NB}%",
    "outside998": f"Enhet utanför 99,8{NB}%",
}
CURVE_POINTS = 120


def position(u: fp.Unit, adjusted: bool) -> str:
    """HIGH998, HIGH95, INSIDE, LOW95 or LOW998 against the adjusted or the unadjusted limits."""
    side998 = u.outside(adjusted=adjusted, level="998")
    if side998:
        return HIGH998 if side998 == "high" else LOW998
    side95 = u.outside(adjusted=adjusted, level="95")
    if side95:
        return HIGH95 if side95 == "high" else LOW95
    return INSIDE


def percent_text(share: float, decimals: int) -> str:
    """A share 0–1 as the page writes a percent: 0.8125 -> '81,3 %'."""
    return fmt.percent(Decimal(repr(share * 100)), decimals)


@dataclass
class FunnelRow:
    unit: OrgUnit
    numerator: Optional[int]
    denominator: Optional[int]
    share: Figure
    point: Optional[fp.Unit] = None  # None: not plotted (saknar data)
    position: str = ""  # against the limits that apply (adjusted when overdispersed)
    position_adjusted: str = ""
    position_unadjusted: str = ""
    missing: str = ""  # why the unit is not plotted
    limits95: str = ""  # the limits at the unit's denominator, as text: '70,1–90,2 %'
    limits998: str = ""
    limits95_adjusted: str = ""
    limits998_adjusted: str = ""

    @property
    def position_text(self) -> str:
        return POSITION_TEXT.get(self.position, self.missing)

    @property
    def position_adjusted_text(self) -> str:
        return POSITION_TEXT.get(self.position_adjusted, self.missing)

    @property
    def position_unadjusted_text(self) -> str:
        return POSITION_TEXT.get(self.position_unadjusted, self.missing)

    @property
    def outside(self) -> bool:
        return self.position not in ("", INSIDE)

    @property
    def z_text(self) -> str:
        return fmt.number(Decimal(repr(self.point.z)), 2) if self.point is not None else fmt.DASH


@dataclass
class FunnelPage:
    unit: OrgUnit
    m: Measure
    period: Period
    as_of_today: bool
    compare: str  # at the nation: 'regioner' or 'kommuner'; '' below it
    compared_noun: str  # 'förvaltningar', 'regioner', 'enheterna under'
    rows: list[FunnelRow]
    funnel: Optional[fp.Funnel]
    mean: Figure
    numerator: int = 0
    denominator: int = 0
    chart: str = ""
    outside998: list[FunnelRow] = field(default_factory=list)  # against the limits that apply
    outside95: list[FunnelRow] = field(default_factory=list)  # outside 95 %, inside 99.8 %
    only_unadjusted: list[FunnelRow] = field(default_factory=list)  # outside 99.8 % only without the adjustment

    @property
    def plotted(self) -> list[FunnelRow]:
        return [r for r in self.rows if r.point is not None]

    @property
    def without_data(self) -> list[FunnelRow]:
        return [r for r in self.rows if r.missing]

    @property
    def compares(self) -> bool:
        """At least MIN_UNITS units have data: there is something to compare (and a chart)."""
        return len(self.plotted) >= MIN_UNITS

    @property
    def adjusted(self) -> bool:
        """The limits adjusted for overdispersion apply (FunnelPlotR: φ > 1)."""
        return self.funnel is not None and self.funnel.overdispersed

    @property
    def phi_text(self) -> str:
        return fmt.number(Decimal(repr(self.funnel.phi)), 2) if self.compares else fmt.DASH

    @property
    def tau2_text(self) -> str:
        if not self.compares:
            return fmt.DASH
        return fmt.number(Decimal(repr(self.funnel.tau2)), 4) if self.funnel.tau2 else "0"

    @property
    def explanation(self) -> str:
        """What φ and τ² mean for this comparison, in words for a manager."""
        if not self.compares:
            return ""
        if self.adjusted:
            return (f"Enheterna skiljer sig mer från varandra än slumpen ensam förklarar: φ = {self.phi_text}, där "
                    "omkring 1 vore väntat om alla hade samma underliggande andel. Skillnaderna beror ofta på sådant som "
                    "inte syns i måttet, till exempel patientsammansättning eller hur man registrerar. Därför vidgas "
                    f"gränserna med spridningen mellan enheterna (τ² = {self.tau2_text}): de justerade gränserna pekar "
                    "bara ut enheter som avviker även med hänsyn till den. De ojusterade gränserna visar vilka som "
                    "avviker mer än slumpen.")
        return (f"Enheterna skiljer sig inte mer från varandra än vad slumpen förklarar (φ = {self.phi_text}, högst 1), "
                "så gränserna behöver inte justeras för överspridning: de ojusterade gränserna gäller.")

    @property
    def outside998_text(self) -> str:
        return outside_text(self.m, self.outside998)

    @property
    def outside95_text(self) -> str:
        return outside_text(self.m, self.outside95)

    @property
    def only_unadjusted_text(self) -> str:
        return ", ".join(r.unit.name for r in self.only_unadjusted)

    @property
    def applied_limits(self) -> str:
        return "justerade för överspridning" if self.adjusted else "ojusterade"


def _better_or_worse(m: Measure, pos: str) -> str:
    if m.direction not in (st.HIGHER, st.LOWER) or pos == INSIDE:
        return ""
    return "bättre" if (pos in (HIGH998, HIGH95)) == (m.direction == st.HIGHER) else "sämre"


def outside_text(m: Measure, rows: list[FunnelRow]) -> str:
    """'Enhet A (över, bättre), Enhet B (under, sämre)'."""
    parts = []
    for r in rows:
        side = "över" if r.position in (HIGH998, HIGH95) else "under"
        judged = _better_or_worse(m, r.position)
        parts.append(f"{r.unit.name} ({side}{', ' + judged if judged else ''})")
    return ", ".join(parts)


def compared_units(unit: OrgUnit, as_of_today: bool, compare: str) -> list[OrgUnit]:
    """The units a funnel at ``unit`` compares: its children (those still open, for today's
    structure), at the nation only those of the kind ``compare`` names."""
    children = unit.children.order_by("name")
    if unit.kind == OrgUnit.Kind.NATION:
        children = children.filter(kind=COMPARE[compare])
    if as_of_today:
        children = children.filter(valid_to__isnull=True)
    return list(children)


def _limits_text(lower: float, upper: float, decimals: int) -> str:
    low = fmt.percent(Decimal(repr(lower * 100)), decimals).replace(f"{NB}%", "")
    return f"{low}{fmt.DASH}{percent_text(upper, decimals)}"


def funnel_page(unit: OrgUnit, m: Measure, period: Period, as_of_today: bool = False,
                compare: str = DEFAULT_COMPARE, adjust: bool = True) -> FunnelPage:
    """The funnel of ``m`` over the children of ``unit`` in ``period`` (computed with one unit too;
    the page draws and explains it from MIN_UNITS on)."""
    is_nation = unit.kind == OrgUnit.Kind.NATION
    compare = compare if is_nation and compare in COMPARE else (DEFAULT_COMPARE if is_nation else "")
    children = compared_units(unit, as_of_today, compare)
    sums = dict(selectors.child_values(unit, m, period, as_of_today))
    rows: list[FunnelRow] = []
    data: list[tuple[str, int, int]] = []
    for c in children:
        s = sums.get(c.current_path if as_of_today else c.path)
        num = s.numerator if s is not None and s.rows else None
        den = s.denominator if s is not None and s.rows else None
        row = FunnelRow(c, num, den, Figure(s.value(m) if s else None, format_value(m, s.value(m) if s else None), den))
        if not den:  # no rows, or a denominator of 0 or none
            row.missing = NO_DATA
        elif not 0 <= num <= den:
            row.missing = INVALID
        else:
            data.append((c.code, num, den))
        rows.append(row)
    total_num, total_den = sum(r for _, r, _ in data), sum(n for _, _, n in data)
    mean_value = ratio.rate(total_num, total_den, m.unit, m.decimals) if data else None
    noun = KIND_PLURALS[COMPARE[compare]] if is_nation else "enheterna under"
    page = FunnelPage(unit, m, period, as_of_today, compare, noun, rows, None,
                      Figure(mean_value, format_value(m, mean_value), total_den or None), total_num, total_den)
    if not data:
        return page
    f = fp.funnel(data, adjust=adjust)
    page.funnel = f
    by_code = {u.key: u for u in f.units}
    d = m.decimals
    for r in rows:
        u = by_code.get(r.unit.code)
        if u is None:
            continue
        r.point = u
        r.position_adjusted, r.position_unadjusted = position(u, True), position(u, False)
        r.position = r.position_adjusted if f.overdispersed else r.position_unadjusted
        r.limits95 = _limits_text(u.unadjusted.lower95, u.unadjusted.upper95, d)
        r.limits998 = _limits_text(u.unadjusted.lower998, u.unadjusted.upper998, d)
        r.limits95_adjusted = _limits_text(u.adjusted.lower95, u.adjusted.upper95, d)
        r.limits998_adjusted = _limits_text(u.adjusted.lower998, u.adjusted.upper998, d)
    plotted = page.plotted
    page.outside998 = [r for r in plotted if r.position in (HIGH998, LOW998)]
    page.outside95 = [r for r in plotted if r.position in (HIGH95, LOW95)]
    if f.overdispersed:
        page.only_unadjusted = [r for r in plotted if r.position_unadjusted in (HIGH998, LOW998)
                                and r.position not in (HIGH998, LOW998)]
    if len(data) >= MIN_UNITS:
        page.chart = charts.svg(chart_spec(page))
    return page


def _grid(low: int, high: int, count: int = CURVE_POINTS) -> list[float]:
    """Denominators from ``low`` to ``high``, spaced evenly on a log scale (the curves bend most
    at small denominators)."""
    if high <= low:
        return [float(low)]
    step = (math.log(high) - math.log(low)) / (count - 1)
    return [math.exp(math.log(low) + i * step) for i in range(count)]


def chart_spec(page: FunnelPage) -> dict:
    """The funnel as a chart (reports.charts.funnel_spec): the mean, the unadjusted limits, the
    adjusted ones when they apply, and the units as points with their figures in the tooltip."""
    f = page.funnel
    m = page.m
    plotted = page.plotted
    dens = [r.denominator for r in plotted]
    low, high = max(1, math.floor(min(dens) * 0.8)), math.ceil(max(dens) * 1.05)
    sets = [("u95", 0.0, "95"), ("u998", 0.0, "998")]
    if page.adjusted:
        sets += [("a95", f.tau2, "95"), ("a998", f.tau2, "998")]
    curves = []
    for n in _grid(low, high):
        curves.append({"n": n, "value": f.target * 100, "role": "mean", "branch": ""})
        for role, tau2, level in sets:
            lim = fp.limits(f.target, n, tau2)
            lower, upper = (lim.lower95, lim.upper95) if level == "95" else (lim.lower998, lim.upper998)
            curves.append({"n": n, "value": lower * 100, "role": role, "branch": "lower"})
            curves.append({"n": n, "value": upper * 100, "role": role, "branch": "upper"})
    points = [{"n": r.denominator, "value": r.point.share * 100, "position": POINT_CLASS[r.position],
               "tip": f"{r.unit.name}: {r.share.text} ({fmt.number(r.numerator)} av {fmt.number(r.denominator)}), "
                      + (f"{POSITION_TEXT[r.position]}-gränsen" if r.position != INSIDE else "inom gränserna")}
              for r in plotted]
    names = dict(LINE_NAMES, mean=f"Medelvärde {page.mean.text}")
    return charts.funnel_spec(points, curves, names, f"{m.title}, {page.unit.name}, {page.period.label}",
                              "Nämnare (antal)", m.unit_info.axis_title)


def as_json(page: FunnelPage) -> dict:
    """The page's funnel for machines (the API): the calc's JSON with unit codes and names, and
    the units without data."""
    f = page.funnel
    body = fp.as_json(f) if f is not None else {
        "mean": page.numerator / page.denominator if page.denominator else None, "phi": None, "tau2": None,
        "overdispersed": None, "units": []}
    names = {r.unit.code: r.unit.name for r in page.rows}
    for u in body["units"]:
        u["name"] = names[u["unit"]]
    return {
        "unit": page.unit.code, "measure": page.m.code, "period": page.period.key,
        "compared": page.compare or "children", "numerator": page.numerator, "denominator": page.denominator,
        **body, "adjustment_applies": page.adjusted,
        "without_data": [{"unit": r.unit.code, "name": r.unit.name, "reason": r.missing} for r in page.without_data],
    }
