"""The OpenAPI schema documents the errors every operation can answer, with their bodies."""

from __future__ import annotations

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_ERRORS = {
    "400": ("Ogiltig begäran: ett meddelande per felaktig parameter eller fält (eller per rad, för listor).",
            {"oneOf": [{"type": "object"}, {"type": "array"}]}),
    "401": ("Inte inloggad.", _DETAIL),
    "403": ("Behörighet saknas.", _DETAIL),
    "404": ("Finns inte, eller ligger utanför din behörighet.", _DETAIL),
    "414": ("Adressen är för lång (sökvägen eller frågesträngen).", _DETAIL),
}
_BODY_ERRORS = (
    ("413", "Innehållet är större än vad som tas emot.", _DETAIL),
    ("415", "Innehållets medietyp stöds inte.", _DETAIL),
)


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses an operation does not
    declare itself (an operation's own 400 body, e.g. an import's problems, is kept)."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            errors = [(code, *error) for code, error in _ERRORS.items()]
            if "requestBody" in operation:
                errors.extend(_BODY_ERRORS)
            for code, description, body in errors:
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": body}}})
    return result
