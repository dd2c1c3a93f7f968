"""Redaction of personal data in free text: personnummer, phone numbers, e-mail, car registrations.

Incident texts can name people. Text that leaves the municipality (lists of external owners, the
Open311 export) goes through :func:`redact` first. Each kind has its own pattern; what it matches
is replaced by a Swedish placeholder in brackets. The patterns are written so that dates
(``2025-06-01``), times (``14:30``, ``kl 08.30``), remark ids (``LB-2025-0001``) and coordinates
(``6570123.4``) stay as they are (``tests/register/test_redact.py`` holds the corpus).

- *personnummer* and *samordningsnummer*: ``YYMMDD-XXXX``, ``YYMMDD+XXXX`` (over 100),
  ``YYYYMMDD-XXXX``; without a separator (``YYMMDDXXXX``, ``YYYYMMDDXXXX``) only when the last
  digit is the Luhn check digit, so that other long numbers stay.
- phone numbers: ``07x-xxx xx xx``, ``070 123 45 67``, ``0701234567``, ``+46 70 123 45 67``,
  ``08-123 456 78``: a leading 0 or +46 and 8 to 13 digits in all.
- e-mail addresses.
- registration numbers: ``ABC 123``, ``ABC123``, ``ABC 12A`` (three capital letters, two digits,
  a digit or letter).

Examples
--------
>>> redact("Ring 070-123 45 67 eller anna@example.se, bil ABC 12A, pnr 850101-1234.")
'Ring [telefonnummer] eller [e-post], bil [registreringsnummer], pnr [personnummer].'
>>> redact("2025-06-01 kl 14:30 vid 6570123.4, ärende LB-2025-0001")
'2025-06-01 kl 14:30 vid 6570123.4, ärende LB-2025-0001'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import pandas as pd

__all__ = ["KINDS", "PLACEHOLDERS", "redact", "redact_series"]

_NOT_BEFORE = r"(?<![\w+\-/.:,@])"
_NOT_AFTER = r"(?![\w@]|[.,:]\d)"
_DAY = r"(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"  # 61–91: samordningsnummer
_DATE = rf"(?:(?:19|20)\d{{2}}|\d{{2}})(?:0[1-9]|1[0-2]){_DAY}"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PNR_SEPARATED = re.compile(rf"{_NOT_BEFORE}{_DATE}[-+]\d{{4}}{_NOT_AFTER}")
_PNR_PLAIN = re.compile(rf"{_NOT_BEFORE}{_DATE}\d{{4}}{_NOT_AFTER}")
_PHONE = re.compile(
    rf"{_NOT_BEFORE}(?:\+46[ -]?(?:\(0\)[ -]?)?|00 ?46[ -]?|0)\d{{1,3}}(?:[ -]?\d{{2,4}}){{1,4}}"
    rf"{_NOT_AFTER}"
)
_REGISTRATION = re.compile(r"(?<![\w-])[A-HJ-PR-UW-Z]{3} ?\d{2}[A-HJ-NPR-UW-Z\d](?![\w-])")

#: Placeholder per kind of personal data.
PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "epost": "[e-post]",
        "personnummer": "[personnummer]",
        "telefon": "[telefonnummer]",
        "regnummer": "[registreringsnummer]",
    }
)
#: The kinds, in the order they are applied (e-mail first: its digits are no phone number).
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)


def _luhn_ok(digits: str) -> bool:
    """Tell whether the last of the ten personnummer digits is their Luhn check digit."""
    ten = digits[-10:]
    total = 0
    for i, ch in enumerate(ten[:9]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(ten[9])


def _phone(match: re.Match[str]) -> str:
    text = match[0]
    digits = sum(ch.isdigit() for ch in text)
    return PLACEHOLDERS["telefon"] if 8 <= digits <= 13 else text


def _pnr_plain(match: re.Match[str]) -> str:
    return PLACEHOLDERS["personnummer"] if _luhn_ok(match[0]) else match[0]


_STEPS: Mapping[str, tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = {
    "epost": ((_EMAIL, PLACEHOLDERS["epost"]),),
    "personnummer": ((_PNR_SEPARATED, PLACEHOLDERS["personnummer"]), (_PNR_PLAIN, _pnr_plain)),
    "telefon": ((_PHONE, _phone),),
    "regnummer": ((_REGISTRATION, PLACEHOLDERS["regnummer"]),),
}


def redact(text: str, *, kinds: Sequence[str] = KINDS) -> str:
    """Return ``text`` with the personal data of ``kinds`` replaced by placeholders.

    Parameters
    ----------
    text : str
        Free text (a description, a wished action, a comment).
    kinds : sequence of str, optional
        Which kinds to redact (default all: :data:`KINDS`).

    Returns
    -------
    str

    Examples
    --------
    >>> redact("Mejla ola.n@firma.se", kinds=["telefon"])
    'Mejla ola.n@firma.se'
    """
    for kind in KINDS:
        if kind in kinds:
            for pattern, replacement in _STEPS[kind]:
                text = pattern.sub(replacement, text)
    return text


def redact_series(texts: pd.Series, *, kinds: Sequence[str] = KINDS) -> pd.Series:
    """:func:`redact` for a column, with pandas' string methods (missing values stay missing).

    Examples
    --------
    >>> redact_series(pd.Series(["tel 08-123 456 78", None])).tolist()
    ['tel [telefonnummer]', None]
    """
    out = texts.astype("string")
    for kind in KINDS:
        if kind in kinds:
            for pattern, replacement in _STEPS[kind]:
                out = out.str.replace(pattern, replacement, regex=True)
    return out.astype(object).where(out.notna(), None)
