"""Synthetic zoning: how densely each RegSO is built and who owns its blocks.

The numbers are invented but follow the real pattern in Huddinge: Huge Bostäder AB holds the
housing areas of Flemingsberg, Vårby and Skogås (and some of Trångsund and Sjödalen), the
municipality holds parks, nature and most of the outer nature areas, Samhällsfastigheter holds
schools and sports grounds, private owners hold the detached-house areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLOCK_KINDS",
    "LAND_USE_OWNER",
    "OWNER_IDS",
    "PROFILES",
    "Profile",
    "block_land_use",
    "parcel_land_use",
    "profile_for",
    "trakt_for",
]

# Land owners (those with parcels); rule-only owners are in registry.py.
OWNER_IDS: tuple[str, ...] = (
    "huddinge_kommun",
    "huge_bostader",
    "huddinge_samhallsfastigheter",
    "trafikverket",
    "privat",
)

#: Block kinds, in the column order of :attr:`Profile.blocks`.
BLOCK_KINDS: tuple[str, ...] = ("huge", "villa", "natur", "park", "verksamhet", "lantbruk")

#: Land use (markanvändning, Swedish) → owner id.
LAND_USE_OWNER: dict[str, str] = {
    "bostadsgård": "huge_bostader",
    "privat tomt": "privat",
    "verksamhetsområde": "privat",
    "åkermark": "privat",
    "skogsmark": "privat",
    "natur": "huddinge_kommun",
    "park": "huddinge_kommun",
    "gata": "huddinge_kommun",
    "torg": "huddinge_kommun",
    "badplats": "huddinge_kommun",
    "skolgård": "huddinge_samhallsfastigheter",
    "förskolegård": "huddinge_samhallsfastigheter",
    "idrottsplats": "huddinge_samhallsfastigheter",
    "vägområde": "trafikverket",
}


@dataclass(frozen=True)
class Profile:
    """Zoning of one RegSO: relative parcel ``density`` and block-kind probabilities."""

    density: float
    blocks: tuple[float, float, float, float, float, float]
    trakt: str


PROFILES: dict[str, Profile] = {
    #                              density  huge  villa natur park  verks lantbr
    "Flemingsberg västra": Profile(1.0, (0.70, 0.04, 0.10, 0.10, 0.06, 0.0), "Flemingsberg"),
    "Flemingsberg östra": Profile(0.8, (0.55, 0.10, 0.20, 0.10, 0.05, 0.0), "Visättra"),
    "Flemingsberg-Kästa": Profile(0.6, (0.05, 0.40, 0.25, 0.10, 0.20, 0.0), "Kästa"),
    "Fullersta norra": Profile(0.8, (0.0, 0.80, 0.08, 0.08, 0.04, 0.0), "Fullersta"),
    "Fullersta södra": Profile(0.8, (0.0, 0.78, 0.10, 0.08, 0.04, 0.0), "Fullersta"),
    "Gladö-Lissma": Profile(0.04, (0.0, 0.08, 0.82, 0.02, 0.0, 0.08), "Lissma"),
    "Glömsta-Loviseberg": Profile(0.3, (0.0, 0.40, 0.45, 0.05, 0.05, 0.05), "Glömsta"),
    "Högmora-Vidja-Ågesta": Profile(0.1, (0.0, 0.35, 0.45, 0.02, 0.03, 0.15), "Vidja"),
    "Kungens Kurva-Kråkvik": Profile(0.5, (0.0, 0.35, 0.15, 0.05, 0.45, 0.0), "Kungens kurva"),
    "Länna": Profile(0.15, (0.0, 0.25, 0.50, 0.02, 0.18, 0.05), "Länna"),
    "Segeltorp": Profile(0.8, (0.0, 0.85, 0.05, 0.07, 0.03, 0.0), "Segeltorp"),
    "Sjödalen centrala-norra": Profile(1.0, (0.25, 0.35, 0.05, 0.15, 0.20, 0.0), "Sjödalen"),
    "Sjödalen södra": Profile(0.5, (0.10, 0.50, 0.30, 0.07, 0.03, 0.0), "Sjödalen"),
    "Skogås västra": Profile(0.9, (0.60, 0.20, 0.10, 0.08, 0.02, 0.0), "Skogås"),
    "Skogås östra": Profile(0.9, (0.60, 0.20, 0.10, 0.08, 0.02, 0.0), "Skogås"),
    "Snättringe": Profile(0.8, (0.0, 0.85, 0.07, 0.06, 0.02, 0.0), "Snättringe"),
    "Stuvsta": Profile(0.8, (0.0, 0.82, 0.08, 0.07, 0.03, 0.0), "Stuvsta"),
    "Trångsund": Profile(0.5, (0.20, 0.50, 0.22, 0.06, 0.02, 0.0), "Trångsund"),
    "Trångsund centrala": Profile(1.0, (0.35, 0.35, 0.05, 0.10, 0.15, 0.0), "Trångsund"),
    "Vårby gård": Profile(1.0, (0.75, 0.05, 0.08, 0.10, 0.02, 0.0), "Vårby"),
    "Vårby Haga-Masmo": Profile(0.7, (0.55, 0.15, 0.15, 0.10, 0.05, 0.0), "Masmo"),
    "Vårby Udde-Duvberget": Profile(0.6, (0.0, 0.70, 0.20, 0.07, 0.03, 0.0), "Vårby udde"),
}

_DEFAULT = Profile(0.5, (0.0, 0.60, 0.25, 0.08, 0.07, 0.0), "")

# Land use of a block kind: (choices, probabilities).
_BLOCK_USE: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "huge": (("bostadsgård",), (1.0,)),
    "villa": (("privat tomt",), (1.0,)),
    "natur": (("natur", "skogsmark"), (0.92, 0.08)),
    "park": (("park",), (1.0,)),
    "verksamhet": (("verksamhetsområde",), (1.0,)),
    "lantbruk": (("åkermark", "skogsmark"), (0.6, 0.4)),
}

# Parcel-level exceptions inside built blocks: (land use, probability).
_PARCEL_EXCEPTIONS: tuple[tuple[str, float], ...] = (
    ("skolgård", 0.030),
    ("förskolegård", 0.025),
    ("idrottsplats", 0.016),
    ("park", 0.060),
    ("natur", 0.030),
    ("gata", 0.030),
    ("torg", 0.008),
)


def profile_for(name: str) -> Profile:
    """Zoning profile of a RegSO (a neutral default for names not in :data:`PROFILES`).

    Examples
    --------
    >>> profile_for("Vårby gård").trakt
    'Vårby'
    """
    return PROFILES.get(name, _DEFAULT)


def trakt_for(name: str) -> str:
    """Short place name used in fake property designations (``Synt-<trakt> 3:12``).

    Examples
    --------
    >>> trakt_for("Högmora-Vidja-Ågesta"), trakt_for("Okänt område")
    ('Vidja', 'Okänt')
    """
    trakt = profile_for(name).trakt
    return trakt or name.replace("-", " ").split()[0]


def block_land_use(rng: np.random.Generator, district_names: np.ndarray) -> np.ndarray:
    """Draw a primary land use for each block from the profile of its RegSO.

    Examples
    --------
    >>> block_land_use(np.random.default_rng(0), np.array(["Vårby gård"] * 3)).shape
    (3,)
    """
    probs = np.array([profile_for(str(n)).blocks for n in district_names], dtype=float)
    probs /= probs.sum(axis=1, keepdims=True)
    kind = _choose_rows(rng, probs)
    uses = np.empty(len(kind), dtype=object)
    for k, name in enumerate(BLOCK_KINDS):
        sel = kind == k
        choices, p = _BLOCK_USE[name]
        uses[sel] = np.asarray(choices, dtype=object)[
            rng.choice(len(choices), size=int(sel.sum()), p=p)
        ]
    return uses


def parcel_land_use(rng: np.random.Generator, block_use: np.ndarray) -> np.ndarray:
    """Parcel land use: the block's, except a few schools, parks, streets … inside built blocks.

    Examples
    --------
    >>> parcel_land_use(np.random.default_rng(0), np.array(["privat tomt"] * 2, dtype=object)).shape
    (2,)
    """
    uses = block_use.astype(object).copy()
    built = np.isin(uses, ["bostadsgård", "privat tomt", "verksamhetsområde", "park"])
    u = rng.random(len(uses))
    lo = 0.0
    for use, p in _PARCEL_EXCEPTIONS:
        sel = built & (u >= lo) & (u < lo + p)
        uses[sel] = use
        lo += p
    return uses


def _choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (vectorised)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)
