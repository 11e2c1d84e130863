from django import forms


class SurveyUploadForm(forms.Form):
    spec = forms.FileField(label="Specifikation (YAML)", help_text="Enkätens id, frågor och indikatorregler.")
    responses = forms.FileField(
        label="Svar (CSV eller XLSX)",
        help_text="En rad per svarande: respondent, respondent_type och en kolumn per fråga. "
        "CSV får vara semikolon- eller kommaseparerad, UTF-8 eller Windows-1252.",
    )
