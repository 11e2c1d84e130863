"""Keep personal data out of the request logs.

Django's ``django.request`` logger writes the path of a 404 and a full traceback for every
refused (403) page; the development server's ``django.server`` logger writes the request line
with its query string. A search may carry a personal identity number in either. This filter
rewrites each record to one line: without the query string, with any 10- or 12-digit number
(a personal identity or coordination number, with or without its separator) masked, and without
the traceback of a refusal, which is an expected outcome rather than an error.
"""

from __future__ import annotations

import logging
import re

QUERY = re.compile(r"\?[^\s\"]*")
IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
MASK = "[nummer]"
QUIET_STATUSES = {400, 403, 404, 405, 413, 414}


def scrub(text: str) -> str:
    return IDENTITY_NUMBER.sub(MASK, QUERY.sub("", text))


class RequestLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage()).replace("\n", " ")
        record.args = ()
        if getattr(record, "status_code", None) in QUIET_STATUSES:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
