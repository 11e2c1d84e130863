"""Forms for the organisation pages (Swedish labels). Validation of meaning lives in services."""

from __future__ import annotations

import re

from django import forms

from . import scope
from .importers import RESERVED_CODES, kind_fits
from .models import CODE_RE, OrgUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHILD_KINDS = [(k.value, k.label) for k in (OrgUnit.Kind.FORVALTNING, OrgUnit.Kind.VERKSAMHET, OrgUnit.Kind.ENHET)]


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="Fil med enheter (CSV eller XLSX)",
        help_text="Kolumner: code, name, kind, parent_code, valid_from, valid_to och valfritt successor_code. "
        "Typ: förvaltning, verksamhet eller enhet. Datum som ÅÅÅÅ-MM-DD. CSV får vara semikolon- eller "
        "kommaseparerad, UTF-8 eller Windows-1252.",
    )


class _Validity(forms.Form):
    valid_from = forms.DateField(label="Giltig från", required=False, widget=DATE)
    valid_to = forms.DateField(label="Giltig till", required=False, widget=DATE,
                               help_text="Lämna tomt för en enhet som finns kvar.")

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "Slutdatum ligger före startdatum.")
        return data


class UnitEditForm(_Validity):
    name = forms.CharField(label="Namn", max_length=200)
    field_order = ["name", "valid_from", "valid_to"]


class UnitCreateForm(_Validity):
    code = forms.CharField(label="Kod", max_length=64, help_text="Till exempel HSA-id eller egen kod (A–Z, 0–9, . - _).")
    name = forms.CharField(label="Namn", max_length=200)
    kind = forms.ChoiceField(label="Typ", choices=CHILD_KINDS)
    field_order = ["code", "name", "kind", "valid_from", "valid_to"]

    def __init__(self, *args, parent: OrgUnit | None = None, **kwargs):
        kwargs.setdefault("auto_id", "ny_%s")  # the unit page also holds the edit form
        super().__init__(*args, **kwargs)
        if parent is not None:
            self.fields["kind"].choices = [(k, label) for k, label in CHILD_KINDS if kind_fits(k, parent.kind)]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError("Koden får bara innehålla bokstäver, siffror, punkt, bindestreck och understreck.")
        if code.casefold() in RESERVED_CODES:
            raise forms.ValidationError("Koden är reserverad för sidornas adresser; välj en annan.")
        if OrgUnit.objects.filter(code=code).exists():
            raise forms.ValidationError("Koden används redan av en annan enhet.")
        return code


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


CODE_LIST_MAX = 2000  # room for a reorganisation of some hundred units


class ReorganiseForm(forms.Form):
    closed = forms.CharField(
        label="Enheter som läggs ned", max_length=CODE_LIST_MAX,
        help_text="Koder, åtskilda med mellanslag eller kommatecken.",
    )
    successors = forms.CharField(
        label="Efterträdare", max_length=CODE_LIST_MAX,
        help_text="Koder för de enheter som tar över. Den första räknas som huvudsaklig efterträdare.",
    )
    on = forms.DateField(label="Datum för omorganisationen", widget=DATE,
                         help_text="Första dagen i den nya organisationen; de nedlagda enheterna gäller till dagen före.")
    note = forms.CharField(label="Anteckning", max_length=500, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _units(self, name: str) -> list[OrgUnit]:
        codes = _codes(self.cleaned_data.get(name, ""))
        if not codes:
            raise forms.ValidationError("Ange minst en kod.")
        found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).select_related("parent")}
        unknown = [c for c in codes if c not in found or not scope.can_see(self.user, found[c])]
        if unknown:
            raise forms.ValidationError(f"Okända koder eller utanför din behörighet: {', '.join(unknown)}")
        return [found[c] for c in codes]

    def clean_closed(self):
        return self._units("closed")

    def clean_successors(self):
        return self._units("successors")
