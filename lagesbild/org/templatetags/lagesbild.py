from django import template

from lagesbild.calc import fmt

register = template.Library()


@register.filter
def sv_number(value, decimals=0):
    """7584 -> '7 584' (no-break space)."""
    if value in (None, ""):
        return fmt.DASH
    return fmt.number(value, int(decimals))
