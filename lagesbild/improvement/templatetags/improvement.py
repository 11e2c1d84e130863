"""{% load improvement %}{% cycle_summary measure unit period %}: the improvement work on one
measure × unit × period, for dashboards (renders improvement/_cycle_summary.html)."""

from django import template

from lagesbild.improvement import selectors

register = template.Library()


@register.inclusion_tag("improvement/_cycle_summary.html")
def cycle_summary(measure, unit, period):
    return {"summary": selectors.summary_for(measure, unit, period)}
