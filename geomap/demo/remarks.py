"""Synthetic incidents of the weekly situational picture (*lägesbild*), vectorised.

Points cluster around real hubs (stations, centres) and the nine camera places of 2021, with a
background spread over built-up RegSO; times follow a weekday × hour × month profile per category
(``geomap/demo/timing.py``); categories are written inconsistently, like a real incident log
(``Klotter``, ``klotter/tags`` …), with about 1 % unknown categories.

Planted facts (documented in ``data/README.md``, so the lägesbild and the evaluation can be
tested against them):

- **the place that grows**: in the demo year (``growing=True``) 8 % of the incidents are extra
  incidents at **Masmo** (:data:`GROWING_PLACE`, within about 250 m of 59.2515 N, 17.8810 E,
  ``plats`` = ``Masmo``) whose daily rate rises linearly from 0 on 1 January to its maximum on
  31 December (gatherings, vandalism, graffiti, drugs, litter);
- **camera effects** from each install date on (``geomap/demo/cameras.py``): incidents inside
  100 m of a treated site are removed with the site's probability and moved to the background,
  or into the 100–300 m ring at the displacement site, so every year keeps ``n`` incidents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS

from .cameras import CAMERA_SITES, camera_xy, prevented, ring_points
from .geography import HUBS, Geography, Hub, hub_xy, sample_in_polygons
from .timing import draw_minutes
from .zones import profile_for

__all__ = ["CATEGORY_VARIANTS", "DESCRIPTIONS", "GROWING_PLACE", "GROWTH_SHARE", "build_incidents"]

#: Shares of the incidents round the hubs and round the camera places; the rest is background.
_HUB_SHARE = 0.45
_CAMERA_SHARE = 0.22
_CAMERA_SIGMA_M = 45.0
#: The place whose count grows over the demo year, and its share of that year's incidents.
GROWING_PLACE = Hub("Masmo", 59.2515, 17.8810, 1.0, 80.0)
GROWTH_SHARE = 0.08
_GROWING_KEYS = ("samling", "skadegorelse", "klotter", "narkotika", "nedskrapning")

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


def build_incidents(
    rng: np.random.Generator,
    geo: Geography,
    land: shapely.Geometry,
    *,
    n: int,
    year: int = 2025,
    growing: bool = True,
    measures: bool = True,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw ``n`` incidents of ``year``; return the CSV table and their ``(n, 2)`` EPSG:3011 coordinates.

    The table has ``arendenr``, ``datum``, ``kategori``, ``beskrivning``, ``plats``, ``latitud``,
    ``longitud``, ``kalla`` and ``syntetisk``, sorted by time.

    Parameters
    ----------
    rng
        Random generator (the only source of randomness).
    geo, land
        The demo geography and the land to place points on (no lakes).
    n
        Number of incidents.
    year
        Calendar year of the incidents.
    growing
        Include the place that grows over the year (:data:`GROWING_PLACE`,
        :data:`GROWTH_SHARE` of ``n``); the generator sets it for the demo year only.
    measures
        Apply the planted effects of the 2021 camera measures (``geomap/demo/cameras.py``).

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> geo = load_geography()
    >>> table, xy = build_incidents(np.random.default_rng(1), geo, geo.outline, n=5)
    >>> table["arendenr"].iloc[0], xy.shape
    ('LB-2025-00001', (5, 2))
    """
    xy, place, cat_idx, minutes = _draw(rng, geo, land, n=n, year=year, growing=growing)
    stamp = np.datetime64(f"{year}-01-01T00:00", "m") + minutes.astype("timedelta64[m]")
    if measures:
        _apply_measures(rng, geo, land, xy, place, _VARIANT_CODES[cat_idx], stamp)
    order = np.argsort(minutes, kind="stable")
    xy, place, cat_idx, stamp = xy[order], place[order], cat_idx[order], stamp[order]
    to_wgs = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    width = max(5, len(str(n)))
    raw = np.array(list(CATEGORY_VARIANTS), dtype=object)
    table = pd.DataFrame(
        {
            "arendenr": _ids(f"LB-{year}-", n, width),
            "datum": _text_minutes(stamp),
            "kategori": raw[cat_idx],
            "beskrivning": _descriptions(rng, cat_idx),
            "plats": place,
            "latitud": np.round(lat, 7),
            "longitud": np.round(lon, 7),
            "kalla": "lägesbild",
            "syntetisk": "ja",
        }
    )
    return table, xy


_VARIANT_CODES = np.array([key for _, key in CATEGORY_VARIANTS.values()], dtype=object)


def _draw(
    rng: np.random.Generator,
    geo: Geography,
    land: shapely.Geometry,
    *,
    n: int,
    year: int,
    growing: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Places, category indices and minutes of the year, by component (not yet sorted)."""
    n_grow = round(n * GROWTH_SHARE) if growing else 0
    shares = [_HUB_SHARE, _CAMERA_SHARE, 1.0 - _HUB_SHARE - _CAMERA_SHARE]
    n_hub, n_cam, n_bg = (int(k) for k in rng.multinomial(n - n_grow, shares))
    parts = [
        _around(rng, land, n_hub, HUBS),
        _around(
            rng,
            land,
            n_cam,
            tuple(Hub(s.name, s.lat, s.lon, s.weight, _CAMERA_SIGMA_M) for s in CAMERA_SITES),
        ),
        _background(rng, geo, land, n_bg),
        _around(rng, land, n_grow, (GROWING_PLACE,)),
    ]
    xy = np.concatenate([p[0] for p in parts]).reshape(-1, 2)
    place = np.concatenate([p[1] for p in parts]).astype(object)
    cat_idx = np.concatenate(
        [_categories(rng, n - n_grow), _categories(rng, n_grow, keys=_GROWING_KEYS)]
    )
    codes = _VARIANT_CODES[cat_idx]
    minutes = np.concatenate(
        [
            draw_minutes(rng, codes[: n - n_grow], year),
            draw_minutes(rng, codes[n - n_grow :], year, ramp=True),
        ]
    )
    return xy, place, cat_idx, minutes


def _categories(
    rng: np.random.Generator, n: int, *, keys: tuple[str, ...] | None = None
) -> np.ndarray:
    """Draw indices into :data:`CATEGORY_VARIANTS` (only variants of ``keys`` when given)."""
    weight = np.array(
        [w if keys is None or key in keys else 0.0 for w, key in CATEGORY_VARIANTS.values()]
    )
    return rng.choice(len(weight), size=n, p=weight / weight.sum())


def _apply_measures(
    rng: np.random.Generator,
    geo: Geography,
    land: shapely.Geometry,
    xy: np.ndarray,
    place: np.ndarray,
    codes: np.ndarray,
    stamp: np.ndarray,
) -> None:
    """Move the incidents the cameras prevent: to the background, or into the ring D (in place)."""
    index, site = prevented(rng, xy, codes, stamp)
    ring = np.array([s.displace for s in CAMERA_SITES])[site]
    far = index[~ring]
    xy[far], place[far] = _background(rng, geo, land, len(far))
    centres = camera_xy()
    for i in np.unique(site[ring]):
        moved = index[ring][site[ring] == i]
        xy[moved] = ring_points(rng, centres[i], len(moved), land)


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


def _around(
    rng: np.random.Generator, land: shapely.Geometry, n: int, hubs: tuple[Hub, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Return normal clusters around ``hubs``; draws that land outside ``land`` are redrawn."""
    centres = hub_xy(hubs=hubs)
    sigma = np.array([h.sigma_m for h in hubs])
    weight = np.array([h.weight for h in hubs])
    which = rng.choice(len(hubs), size=n, p=weight / weight.sum())
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
    names = np.array([h.name for h in hubs], dtype=object)
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
