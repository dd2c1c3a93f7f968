"""Synthetic incidents of the weekly situational picture (*lägesbild*), vectorised.

Points cluster around real hubs (stations, centres) with a background spread over built-up
RegSO; times have evening and weekend peaks; categories are written inconsistently, like a real
incident log (``Klotter``, ``klotter/tags`` …), with about 1 % unknown categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS

from .geography import HUBS, Geography, hub_xy, sample_in_polygons
from .zones import profile_for

__all__ = ["CATEGORY_VARIANTS", "DESCRIPTIONS", "build_incidents"]

_HUB_SHARE = 0.6

#: Raw category text as it appears in the log → (weight, description key).
CATEGORY_VARIANTS: dict[str, tuple[float, str]] = {
    "Klotter": (0.12, "klotter"),
    "klotter/tags": (0.05, "klotter"),
    "KLOTTER": (0.01, "klotter"),
    "Skadegörelse": (0.10, "skadegorelse"),
    "skadegörelse": (0.02, "skadegorelse"),
    "Vandalism": (0.02, "skadegorelse"),
    "Nedskräpning": (0.10, "nedskrapning"),
    "Skräp": (0.02, "nedskrapning"),
    "Trasig belysning": (0.07, "belysning"),
    "Belysning": (0.02, "belysning"),
    "Otrygg plats": (0.07, "otrygg_plats"),
    "Otryggt": (0.01, "otrygg_plats"),
    "Samling av ungdomar": (0.08, "samling"),
    "Ungdomssamling": (0.02, "samling"),
    "Hot mot personal": (0.03, "hot_mot_personal"),
    "Brand": (0.03, "brand"),
    "Anlagd brand": (0.02, "brand"),
    "Containerbrand": (0.01, "brand"),
    "Igenväxt buskage": (0.05, "vegetation"),
    "Narkotika": (0.04, "narkotika"),
    "Narkotikahandel": (0.01, "narkotika"),
    "Mopedåkning": (0.01, "trafik"),
    "Övergiven cykel": (0.005, "okand"),
    "Hundbajs": (0.003, "okand"),
    "Fyrverkerier": (0.002, "okand"),
}

#: Description texts per key (Swedish, as a duty officer would write them).
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "klotter": (
        "Klotter på fasad vid entrén",
        "Tags på busskuren",
        "Stort klotter på bullerplanket",
        "Klotter på elskåp vid gångvägen",
        "Tags på kopplingsskåp intill lekplatsen",
        "Klotter i gångtunneln",
        "Nytt klotter på skolans gavel",
    ),
    "skadegorelse": (
        "Krossad ruta i busskur",
        "Sönderslagen parkbänk",
        "Påkörd lyktstolpe, lutar över gångvägen",
        "Uppbrutet elskåp, luckan saknas",
        "Vält papperskorg och trasigt staket",
        "Trasig gunga på lekplatsen",
    ),
    "nedskrapning": (
        "Mycket skräp vid sittplatserna",
        "Dumpade sopsäckar vid återvinningen",
        "Fimpar och glas vid trappan",
        "Överfulla papperskorgar efter helgen",
        "Dumpat byggavfall i skogskanten",
    ),
    "belysning": (
        "Släckt gatubelysning längs gångvägen",
        "Trasig lampa i gångtunneln",
        "Flera lyktor ur funktion vid parkeringen",
        "Blinkande armatur vid övergångsstället",
    ),
    "otrygg_plats": (
        "Mörk passage, boende upplever otrygghet",
        "Skymd sikt vid gångtunneln",
        "Otrygg genväg bakom centrumhuset",
    ),
    "samling": (
        "Grupp om cirka 15 ungdomar, hög ljudnivå",
        "Samling vid entrén, viss oro bland besökare",
        "Ungdomar samlas i trapphuset",
    ),
    "hot_mot_personal": (
        "Väktare hotad vid centrumentrén",
        "Busschaufför utsatt för hot",
        "Personal hotad vid fritidsgården",
    ),
    "brand": (
        "Brand i papperskorg, släckt",
        "Anlagd brand i container",
        "Brand i soprum, räddningstjänst på plats",
        "Bilbrand på parkeringen",
    ),
    "vegetation": (
        "Igenväxt buskage skymmer gångvägen",
        "Sly tar över belysningen",
        "Häck skymmer sikten vid korsningen",
    ),
    "narkotika": (
        "Misstänkt narkotikaförsäljning",
        "Sprutor hittade vid lekplatsen",
        "Lukt av cannabis i trapphuset",
    ),
    "trafik": (
        "Mopeder kör på gångvägen",
        "Fortkörning förbi skolan",
    ),
    "okand": (
        "Se kategori",
        "Okänd händelse, kontrollera",
    ),
}

_HOUR_WEIGHTS = np.array(
    [
        0.6,
        0.4,
        0.3,
        0.2,
        0.15,
        0.15,
        0.2,
        0.35,
        0.5,
        0.55,
        0.6,
        0.65,
        0.7,
        0.7,
        0.75,
        0.85,
        1.0,
        1.1,
        1.3,
        1.5,
        1.7,
        1.8,
        1.6,
        1.0,
    ]
)
_WEEKDAY_WEIGHTS = np.array([0.9, 0.9, 0.95, 1.0, 1.3, 1.4, 1.05])  # Monday … Sunday


def build_incidents(
    rng: np.random.Generator, geo: Geography, land: shapely.Geometry, *, n: int, year: int = 2025
) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw ``n`` incidents; return the CSV table and their ``(n, 2)`` EPSG:3011 coordinates.

    The table has ``arendenr``, ``datum``, ``kategori``, ``beskrivning``, ``plats``, ``latitud``,
    ``longitud``, ``kalla`` and ``syntetisk``, sorted by time.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> geo = load_geography()
    >>> table, xy = build_incidents(np.random.default_rng(1), geo, geo.outline, n=5)
    >>> table["arendenr"].iloc[0], xy.shape
    ('LB-2025-00001', (5, 2))
    """
    n_hub = int(rng.binomial(n, _HUB_SHARE)) if n else 0
    xy_hub, place_hub = _around_hubs(rng, land, n_hub)
    xy_bg, place_bg = _background(rng, geo, land, n - n_hub)
    xy = np.concatenate([xy_hub, xy_bg])
    place = np.concatenate([place_hub, place_bg])

    raw = np.array(list(CATEGORY_VARIANTS), dtype=object)
    weight = np.array([w for w, _ in CATEGORY_VARIANTS.values()])
    cat_idx = rng.choice(len(raw), size=n, p=weight / weight.sum())
    description = _descriptions(rng, cat_idx)
    minutes = _timestamps(rng, n, year)

    order = np.argsort(minutes, kind="stable")
    xy, place, cat_idx, description, minutes = (
        xy[order],
        place[order],
        cat_idx[order],
        description[order],
        minutes[order],
    )
    to_wgs = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    stamp = np.datetime64(f"{year}-01-01T00:00", "m") + minutes.astype("timedelta64[m]")
    width = max(5, len(str(n)))
    table = pd.DataFrame(
        {
            "arendenr": _ids(f"LB-{year}-", n, width),
            "datum": _text_minutes(stamp),
            "kategori": raw[cat_idx],
            "beskrivning": description,
            "plats": place,
            "latitud": np.round(lat, 7),
            "longitud": np.round(lon, 7),
            "kalla": "lägesbild",
            "syntetisk": "ja",
        }
    )
    return table, xy


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded running numbers 1 … n (vectorised)."""
    if n == 0:
        return np.array([], dtype=object)
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _text_minutes(stamp: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD HH:MM`` texts of datetime64 values (vectorised)."""
    if len(stamp) == 0:
        return np.array([], dtype=object)
    return np.char.replace(np.datetime_as_string(stamp, unit="m"), "T", " ")


def _around_hubs(
    rng: np.random.Generator, land: shapely.Geometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return normal clusters around the hubs; draws that land outside ``land`` are redrawn."""
    centres = hub_xy()
    sigma = np.array([h.sigma_m for h in HUBS])
    weight = np.array([h.weight for h in HUBS])
    which = rng.choice(len(HUBS), size=n, p=weight / weight.sum())
    xy = centres[which] + rng.normal(size=(n, 2)) * sigma[which, None]
    shapely.prepare(land)
    for _ in range(30):
        bad = ~shapely.contains_xy(land, xy[:, 0], xy[:, 1])
        if not bad.any():
            break
        xy[bad] = (
            centres[which[bad]] + rng.normal(size=(int(bad.sum()), 2)) * sigma[which[bad], None]
        )
    bad = ~shapely.contains_xy(land, xy[:, 0], xy[:, 1])
    if bad.any():  # a hub outside the given geography (--geography): draw anywhere on land
        xy[bad], _ = sample_in_polygons(rng, np.array([land]), np.array([int(bad.sum())]))
    names = np.array([h.name for h in HUBS], dtype=object)
    return xy, names[which]


def _background(
    rng: np.random.Generator, geo: Geography, land: shapely.Geometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points over the RegSO, weighted by how built-up they are."""
    names = geo.districts["name"].to_numpy().astype(str)
    zones = shapely.intersection(geo.districts.geometry.to_numpy(), land)
    built = np.array([profile_for(x).density ** 2 for x in names])
    weight = shapely.area(zones) * built
    counts = rng.multinomial(n, weight / weight.sum())
    xy, which = sample_in_polygons(rng, zones, counts)
    perm = rng.permutation(len(xy))
    return xy[perm], names.astype(object)[which[perm]]


def _descriptions(rng: np.random.Generator, cat_idx: np.ndarray) -> np.ndarray:
    """Return a description per incident, drawn from the texts of its category (vectorised)."""
    keys = [k for _, k in CATEGORY_VARIANTS.values()]
    texts = np.array([t for k in keys for t in DESCRIPTIONS[k]], dtype=object)
    sizes = np.array([len(DESCRIPTIONS[k]) for k in keys])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = offsets[cat_idx] + (rng.random(len(cat_idx)) * sizes[cat_idx]).astype(np.int64)
    return texts[pick]


def _timestamps(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """Minutes since 1 January of ``year``: evening and weekend peaks, a little more in summer."""
    first = np.datetime64(f"{year}-01-01", "D")
    n_days = int((np.datetime64(f"{year + 1}-01-01", "D") - first).astype(int))
    day = np.arange(n_days)
    weekday = (first.astype(np.int64) + day + 3) % 7  # 1970-01-01 was a Thursday
    season = 1.0 + 0.3 * np.sin(2 * np.pi * (day - 80) / n_days)
    p_day = _WEEKDAY_WEIGHTS[weekday] * season
    days = rng.choice(n_days, size=n, p=p_day / p_day.sum())
    hours = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return (days * 1440 + hours * 60 + rng.integers(0, 60, size=n)).astype(np.int64)
