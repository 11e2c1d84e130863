"""Table rows the dashboard shows many times (60 measures; children × 60 measures), written out in
Python: through template tags and filters they were a third of the page's time. The markup is the
one the templates had; every text is escaped here (html.escape escapes as Django's autoescape does).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from lagesbild.calc import fmt

PREVIOUS = "än föregående period"


def heat_cell(c) -> str:
    """A heat map cell: value, n and status, tinted by status (presenters.HeatCell)."""
    v = c.value
    n_text = escape(v.n_text)
    title = f' title="{escape(v.with_n)}"' if n_text else ""
    n = f'<br><small class="n">{n_text}</small>' if n_text else ""
    return (f'<td class="num cell {c.badge}"{title}>{escape(v.text)}{n}'
            f'<br><span class="badge {c.badge}">{escape(c.status_label)}</span></td>')


def _with_n(css: str, f) -> str:
    n = f"<br><small>{escape(f.n_text)}</small>" if f.n_text else ""
    return f'<td class="num {css}">{escape(f.text)}{n}</td>'


def _trend(s) -> str:
    if s.trend not in ("better", "worse"):
        return ""
    word = "Bättre" if s.trend == "better" else "Sämre"
    try:
        arrow = "↑" if s.value > s.previous else "↓"
    except TypeError:  # as the template's {% if %}: a missing value compares false
        arrow = "↓"
    return (f' <span class="trend {s.trend}" title="{word} {PREVIOUS}">{arrow}'
            f'<span class="visually-hidden">{word.lower()} {PREVIOUS}</span></span>')


def _cycle(r) -> str:
    c, s = r.cycle, r.s
    if c is not None and c.analysis:
        text = "Analys" + (f", {c.open_actions} öppna åtgärder" if c.open_actions else "")
    elif s.status == "ej_uppnatt":
        text = '<span class="badge status-ej-uppnatt">Analys saknas</span>'
    else:
        text = "Analysera"
    overdue = (f' <span class="badge status-ej-uppnatt">{c.overdue_actions} försenade</span>'
               if c is not None and c.overdue_actions else "")
    return f'<td class="cycle"><a href="{escape(r.cycle_link)}">{text}</a>{overdue}</td>'


SPC_ICON_SIZE = 24


@lru_cache(maxsize=None)
def _icon_url(key: str) -> str:
    return escape(static(f"lagesbild/spc/{key}.svg"))


def spc_icon(key: str, text: str) -> str:
    """One control-chart icon (static/lagesbild/spc/<key>.svg) with its Swedish text as alt and title."""
    src = _icon_url(key)
    return (f'<img class="spc-icon" src="{src}" alt="{escape(text)}" title="{escape(text)}" '
            f'width="{SPC_ICON_SIZE}" height="{SPC_ICON_SIZE}">')


def _spc(r) -> str:
    """The variation and assurance icons beside the value, linked to the measure's control chart."""
    icons = r.spc
    if icons is None:
        return ""
    inner = spc_icon(icons.variation, icons.variation_text)
    if icons.assurance:
        inner += spc_icon(icons.assurance, icons.assurance_text)
    return f' <a class="spc-icons" href="{escape(r.spc_link)}">{inner}</a>'


def dashboard_row(r, show_previous: bool, with_reference: bool) -> SafeString:
    """A dashboard row (presenters.DashboardRow with its links filled in), <tr> to </tr>."""
    s, m = r.s, r.s.measure
    fo = (f' <small><abbr title="Fokusområde">FO</abbr> {escape(str(m.focus_area.number))}</small>'
          if m.focus_area else "")
    near = f"<br><small>Nära {escape(r.near)}</small>" if r.near else ""
    n = fmt.DASH if r.value.n in (None, "") else fmt.number(r.value.n)
    until = f"{s.data_until:%Y-%m}" if s.data_until else fmt.DASH
    return mark_safe("".join((
        f'<tr data-measure="{escape(m.code)}">\n',
        f'    <th scope="row"><a href="{escape(r.link)}">{escape(m.title)}</a>{fo}</th>\n',
        f'    <td class="num value">{escape(r.value.text)}{_spc(r)}</td>\n',
        f'    <td class="num n">{escape(n)}</td>\n',
        f'    <td class="num target">{escape(r.target.text)}{near}</td>\n',
        f'    <td><span class="badge {r.badge}">{escape(s.status_label)}</span>{_trend(s)}</td>\n',
        f'    {_with_n("previous", r.previous) if show_previous else ""}\n',
        f'    {_with_n("last-year", r.last_year)}\n',
        f'    {_with_n("reference", r.reference) if with_reference else ""}\n',
        f'    <td>{r.spark}</td>\n',
        f'    <td>{until}</td>\n',
        f'    {_cycle(r)}\n',
        '  </tr>',
    )))
