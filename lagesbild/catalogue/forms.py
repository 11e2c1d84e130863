"""Forms of the catalogue pages: the handbook's filter and the import."""

from django import forms

from . import selectors
from .models import Measure


class FilterForm(forms.Form):
    """Filter the handbook by focus area and type (a GET form; works with and without htmx)."""

    fokusomrade = forms.ChoiceField(label="Fokusområde", required=False)
    typ = forms.ChoiceField(
        label="Typ", required=False, choices=[("", "Alla typer"), *Measure.Type.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fokusomrade"].choices = [
            ("", "Alla fokusområden"),
            *[(str(fa.number), f"{fa.number}. {fa.name}") for fa in selectors.focus_areas()],
            (selectors.NO_FOCUS_AREA, selectors.OTHER_HEADING),
        ]

    def filters(self) -> dict:
        """The chosen filters (empty when the form is invalid)."""
        if not self.is_valid():
            return {"focus_area": None, "measure_type": None}
        return {
            "focus_area": self.cleaned_data["fokusomrade"] or None,
            "measure_type": self.cleaned_data["typ"] or None,
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Måttkatalog (YAML, CSV eller XLSX)",
        help_text="Ett mått per post eller rad. Kolumner och nycklar som i den nedladdade katalogen "
        "(code, version, title, measure_type, unit, direction …); svenska rubriker som kod, namn, "
        "täljare och nämnare går också bra. CSV får vara semikolon- eller kommaseparerad, UTF-8 eller "
        "Windows-1252.",
    )
