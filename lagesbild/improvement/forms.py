"""Forms of the improvement pages. They validate input; the services decide and save."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea, Foundation, Measure
from lagesbild.ingest.numbers import parse_decimal
from lagesbild.org.models import OrgUnit

from .models import Action, FollowUp, PlanActivity
from .selectors import possible_owners
from .services import allowed_kinds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SwedishDecimalField(forms.CharField):
    """A number typed the Swedish way ('81,3', '1 234,5') or the English way."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            raise ValidationError("Skriv ett tal, t.ex. 81,3.") from None


class PeriodKeyField(forms.CharField):
    """A period key: 2025-03 (månad), 2025-Q1 (kvartal), 2025-T1 (tertial), 2025 (år)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        try:
            return Period.parse(value).key
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class AnalysisForm(forms.Form):
    text = forms.CharField(
        label="Analys av resultat", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Vad visar resultatet, och varför? Vilka orsaker ser ni?",
    )


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _user_label(obj)


CONFIRM_PAST_DUE = "Jag bekräftar att slutdatumet redan har passerat"
PAST_DUE_ERROR = ("Datumet har redan passerat. Rätta datumet, eller kryssa i att du bekräftar det "
                  "och spara igen.")


class ActionForm(forms.Form):
    title = forms.CharField(label="Åtgärd", max_length=300)
    description = forms.CharField(label="Beskrivning", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner_name = forms.CharField(label="Ansvarig", max_length=200, help_text="Namn eller funktion, t.ex. vårdenhetschef.")
    owner = OwnerChoiceField(
        label="Ansvarig användare", queryset=get_user_model().objects.none(), required=False, empty_label="Ingen vald"
    )
    due_date = forms.DateField(label="Klar senast", widget=DATE)
    # Shown (as a checkbox) only once the due date has been found to lie before today.
    confirm_past_due = forms.BooleanField(label=CONFIRM_PAST_DUE, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit: OrgUnit | None = None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if unit is not None:
            self.fields["owner"].queryset = possible_owners(unit)

    def clean(self):
        """A due date before today is kept only when the user confirms it; the confirmation
        itself is no part of the action (it is removed from cleaned_data)."""
        data = super().clean()
        confirmed = data.pop("confirm_past_due", False)
        due = data.get("due_date")
        if due is not None and due < self.today:
            self.fields["confirm_past_due"].widget = forms.CheckboxInput()
            if not confirmed:
                self.add_error("due_date", PAST_DUE_ERROR)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Action.Status.choices)
    completed_on = forms.DateField(label="Klar den", required=False, widget=DATE)


class FollowUpForm(forms.Form):
    date = forms.DateField(label="Datum", widget=DATE)
    # Radio buttons with none checked: the user has to choose, nothing is answered for them.
    effect = forms.ChoiceField(label="Fick åtgärden avsedd effekt?", choices=FollowUp.Effect.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Välj om åtgärden fick avsedd effekt."})
    comment = forms.CharField(label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    period_before = PeriodKeyField(label="Period före", required=False, max_length=10,
                                   help_text="T.ex. 2025-03, 2025-Q1, 2025-T1 eller 2025.")
    value_before = SwedishDecimalField(label="Värde före", required=False,
                                       help_text="Lämna tomt för att hämta det uppmätta värdet.")
    period_after = PeriodKeyField(label="Period efter", required=False, max_length=10)
    value_after = SwedishDecimalField(label="Värde efter", required=False,
                                      help_text="Lämna tomt för att hämta det uppmätta värdet.")


class PlanForm(forms.Form):
    org_unit = forms.ModelChoiceField(label="Region", queryset=OrgUnit.objects.none())
    title = forms.CharField(label="Namn", max_length=300)
    year_from = forms.IntegerField(label="Från år", min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label="Till år", min_value=2000, max_value=2100)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["org_unit"].queryset = units


class InheritForm(forms.Form):
    division = forms.ModelChoiceField(label="Förvaltning", queryset=OrgUnit.objects.none())
    title = forms.CharField(label="Namn", max_length=300, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["division"].queryset = units


class FocusAreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number}. {obj.name}"


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.code}{f', version {obj.version}' if obj.version > 1 else ''})"


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="Typ", choices=PlanActivity.Kind.choices)
    focus_area = FocusAreaChoiceField(label="Fokusområde", queryset=FocusArea.objects.all(), required=False,
                                      empty_label="Inget (övriga aktiviteter)")
    foundation = forms.ModelChoiceField(label="Grundförutsättning", queryset=Foundation.objects.all(), required=False,
                                        empty_label="Ingen")
    title = forms.CharField(label="Aktivitet", max_length=500)
    description = forms.CharField(label="Beskrivning", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    indicator = MeasureChoiceField(label="Indikator (mått i katalogen)", queryset=Measure.objects.order_by("title", "-version"),
                                       required=False, empty_label="Inget mått")
    indicator_text = forms.CharField(label="Indikator (text)", max_length=500, required=False,
                                     help_text="T.ex. ”Vårdtillfällen med skador”.")
    target_text = forms.CharField(label="Mål", max_length=300, required=False, help_text="T.ex. ”<4 %”.")
    data_source = forms.CharField(label="Datakälla", max_length=300, required=False,
                                  help_text="T.ex. ”Journalgranskning, avvikelserapporter”.")
    responsible = forms.CharField(label="Ansvarig", max_length=200, required=False)
    due_date = forms.DateField(label="Klart senast", required=False, widget=DATE)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            kinds = allowed_kinds(plan)
            self.fields["kind"].choices = [(k, label) for k, label in PlanActivity.Kind.choices if k in kinds]
            if len(kinds) == 1:
                self.fields["kind"].initial = kinds[0]


class GapFilterForm(forms.Form):
    enhet = forms.ChoiceField(label="Region", required=False)
    ar = forms.IntegerField(label="År", min_value=2000, max_value=2100, required=False)
    period = PeriodKeyField(label="Period för mätvärden", required=False, max_length=10,
                            help_text="T.ex. 2025, 2025-T1, 2025-Q1 eller 2025-03.")
    alla = forms.BooleanField(label="Visa även enheter", required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [(r.code, r.name) for r in regions]
