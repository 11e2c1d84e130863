"""Request body parsers that refuse the NUL character (0x00) in any text: no field accepts it,
and PostgreSQL cannot even compare it, so a code with NUL looked up in the database would be a
server error instead of a 400."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MESSAGE = "Texten innehåller ett NUL-tecken (0x00), som inte är tillåtet."


def refuse_nul(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item)


def _form_values(data) -> dict:
    return {key: data.getlist(key) for key in data} if hasattr(data, "getlist") else data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(_form_values(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Text fields only: an uploaded file's bytes are the importer's to judge."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_nul(_form_values(result.data))
        return result
