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


# Swedish tags: the default tag of an operation is its resource (the path after /api/v1/); each is
# named and described here, in the order the documentation lists them. Tags an app sets itself
# are kept (named here too when they are listed).
TAGS = {
    "surveys": ("Enkäter", "Enkäter och deras utvecklingsindikatorer på nationell nivå."),
    "measures": ("Måttkatalog", "Måtten med definition, täljare, nämnare, måttenhet och versioner."),
    "org-units": ("Organisation", "Enheterna i organisationen: regioner, förvaltningar, verksamheter och enheter."),
    "observations": ("Mätvärden", "Täljare och nämnare per mått, enhet och månad i din del av organisationen."),
    "targets": ("Mål", "Målvärden och varningsmarginaler per mått och enhet."),
    "funnels": ("Trattdiagram", "Enheterna under en enhet (vid riket regionerna) jämförda för ett andelsmått: "
                                "medelvärde, 95 %- och 99,8 %-gränser med och utan justering för överspridning, "
                                "och vilka enheter som ligger utanför."),
    "values": ("Beräknade värden", "Värden sammanräknade för en enhet och allt under den: summan av täljarna delad med summan av nämnarna."),
    "analyses": ("Analyser", "Analyser av ett måtts resultat för en enhet och en period."),
    "actions": ("Åtgärder", "Åtgärder som beslutats i en analys: ansvarig, klart senast och status."),
    "follow-ups": ("Uppföljningar", "Uppföljningar av åtgärdernas effekt."),
    "förbättringsarbete": ("Förbättringsarbete", "Analyser, åtgärder och uppföljningar av åtgärdernas effekt."),
    "action-plans": ("Handlingsplaner", "Regionernas och förvaltningarnas handlingsplaner."),
    "plan-activities": ("Planaktiviteter", "Aktiviteterna i en handlingsplan."),
    "patients": ("Patientdata", "Vårdtillfällen, riskbedömningar och åtgärder ur journalen som FHIR R4, pseudonymiserade vid "
                                "importen; måtten räknas om för de berörda avdelningarna och månaderna."),
    "incidents": ("Avvikelser", "Avvikelser ur avvikelsesystemet: ett års statistik för en enhet och allt under den, och "
                                "ärendena bakom siffrorna (fritexten är personuppgifter: varje läsning loggas)."),
    "complaints": ("Klagomål", "Klagomål och skadeanmälningar per kanal (vårdenheterna, patientnämnden, IVO, Löf) och "
                               "ärendena bakom siffrorna."),
    "incident-sources": ("Avvikelsekällor", "Exportformat med sparad mappning, och import av en export genom den."),
}


def swedish_tags(result, generator, request, public):
    """drf-spectacular postprocessing hook: the resource tags in Swedish, with descriptions."""
    used = []
    for item in result.get("paths", {}).values():
        for operation in item.values():
            names = [TAGS[t][0] if t in TAGS else t for t in operation.get("tags", [])]
            operation["tags"] = names
            used.extend(n for n in names if n not in used)
    described = {name: text for name, text in TAGS.values()}
    order = list(described)
    used.sort(key=lambda n: order.index(n) if n in order else len(order))
    result["tags"] = [{"name": n, "description": described[n]} if n in described else {"name": n} for n in used]
    return result
