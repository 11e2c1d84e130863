"""The pseudonymisation key: read from the environment, never stored in the database.

``LAGESBILD_PSEUDONYM_KEY`` holds ``<key id>:<secret>``. The key id (letters, digits, ``-`` and
``_``, at most 16) prefixes every pseudonym made with the key, so a new key can be introduced
without mixing pseudonyms of the old and the new one; the secret must be at least 32 characters.
Only patient imports need the key; the rest of the application runs without it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

ENV = "LAGESBILD_PSEUDONYM_KEY"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MIN_SECRET = 32


class KeyMissing(Exception):
    """The key is absent or malformed; the message says what to set, never the secret."""


@dataclass(frozen=True)
class PseudonymKey:
    key_id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the secret
        return f"PseudonymKey(key_id={self.key_id!r})"


def from_environment(environ=os.environ) -> PseudonymKey:
    text = environ.get(ENV, "")
    if not text:
        raise KeyMissing(f"Patientdata kan inte importeras: {ENV} är inte satt (formen är <nyckel-id>:<hemlighet>).")
    key_id, sep, secret = text.partition(":")
    if not sep or not KEY_ID.match(key_id):
        raise KeyMissing(f"{ENV} ska ha formen <nyckel-id>:<hemlighet>, där nyckel-id är högst 16 tecken "
                         "(bokstäver, siffror, - och _).")
    if len(secret) < MIN_SECRET:
        raise KeyMissing(f"Hemligheten i {ENV} är för kort: minst {MIN_SECRET} tecken.")
    return PseudonymKey(key_id, secret.encode("utf-8"))
