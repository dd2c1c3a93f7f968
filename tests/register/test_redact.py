"""Redaction of personal data: a corpus of what must go and what must stay."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.register.redact import PLACEHOLDERS, redact, redact_series

PNR, TEL, MAIL, REG = (PLACEHOLDERS[k] for k in ("personnummer", "telefon", "epost", "regnummer"))

MUST_GO = [
    ("Anmälare 850101-1234 ringde", f"Anmälare {PNR} ringde"),
    ("pnr 19850101-1234.", f"pnr {PNR}."),
    ("född 121212+1212 (över 100)", f"född {PNR} (över 100)"),
    ("personnummer 198112189876", f"personnummer {PNR}"),  # Luhn-valid, no separator
    ("pnr 8112189876", f"pnr {PNR}"),
    ("samordningsnr 701063-2391", f"samordningsnr {PNR}"),
    ("Ring 070-123 45 67!", f"Ring {TEL}!"),
    ("tel 0701234567", f"tel {TEL}"),
    ("mobil 073 123 45 67", f"mobil {TEL}"),
    ("+46 70 123 45 67 efter 17", f"{TEL} efter 17"),
    ("+46701234567", TEL),
    ("växel 08-123 456 78", f"växel {TEL}"),
    ("08-12 34 56 kontor", f"{TEL} kontor"),
    ("0046 8 123 456 78", TEL),
    ("Mejla anna.svensson@example.se.", f"Mejla {MAIL}."),
    ("kontakt: OLA+test@sub.firma.com", f"kontakt: {MAIL}"),
    ("Bil ABC 123 parkerad", f"Bil {REG} parkerad"),
    ("bilen ABC123 stod", f"bilen {REG} stod"),
    ("regnr XYZ 12A", f"regnr {REG}"),
]

MUST_STAY = [
    "2025-06-01",
    "2025-06-01 14:30",
    "2025-06-01T14:30:00+02:00",
    "kl 14:30",
    "kl 08.30",
    "ärende LB-2025-0001",
    "SF-01",
    "TV-3-12",
    "6570123.4",
    "E 147160,803 N 6566632,487",
    "6566632.487, 147160.803",
    "20250601",
    "Synt-Visättra 9:3",
    "avstånd 12,5 m",
    "lampa nr 4711",
    "Buss 172 mot Skarpnäck",
    "2 st bänkar, 3 lampor",
    "198112189875",  # not Luhn-valid: an id, not a personnummer
    "ID 1234567890123",
    "version 2026.1",
    "Hus B, trapphus 2",
]


@pytest.mark.parametrize(("text", "expected"), MUST_GO)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", MUST_STAY)
def test_dates_ids_coordinates_and_times_stay(text: str) -> None:
    assert redact(text) == text


def test_only_the_kinds_asked_for() -> None:
    text = "070-123 45 67, a@b.se"
    assert redact(text, kinds=["epost"]) == f"070-123 45 67, {MAIL}"


def test_series_keeps_missing_values() -> None:
    out = redact_series(pd.Series(["tel 070-123 45 67", None, "ok"]))
    assert out.tolist() == [f"tel {TEL}", None, "ok"]


@given(st.text(alphabet=st.sampled_from(list("0123456789 -+:.,/ABCabc@å")), max_size=40))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@given(
    st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_no_date_or_time_is_ever_redacted(day: object, hour: int, minute: int) -> None:
    text = f"{day} {hour:02d}:{minute:02d}"
    assert redact(text) == text
