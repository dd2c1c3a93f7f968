"""Build the protocols of safety walks: one :class:`~geomap.report.Report` per walk and per owner.

A walk's protocol has a header (place, date, start time, daylight or dark, organiser,
participating organisations), an overview map of its remarks, a table with one row per remark
(:func:`geomap.protocols.rows.protocol_rows`) and a count per responsible owner. Each owner with
remarks on the walk gets a sub-protocol holding only its own rows and points, so that it can be
sent on without showing other owners' remarks. Positive remarks are kept.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.routed import RoutedData, read_routed
from geomap.core.words import format_date, plural
from geomap.errors import InputError
from geomap.io.sanitize import owner_file_stem
from geomap.protocols.rows import (
    FLAGS,
    FOLLOW_UP,
    OWNER,
    is_positive,
    protocol_rows,
    remark_numbers,
    split_rows,
)
from geomap.protocols.walks import read_walks, walk_metadata
from geomap.register import Register, open_register
from geomap.report import MapLayer, MapView, Report, Section, Table
from geomap.stats.temporal import daylight

__all__ = ["WalkProtocol", "build_protocols", "protocol_stem"]

_NAME_LENGTH = 40  # walk and owner parts of a file stem: stems stay ≤ 100 characters
_POSITIVE_COLOURS = ("#009e73", "#2ca02c", "#117733", "#56b4e9", "#000000")  # first not an owner's
_UNROUTED_COLOUR = "#777777"


@dataclass(frozen=True)
class WalkProtocol:
    """One walk's protocol and its per-owner sub-protocols.

    Attributes
    ----------
    walk_id : str
        The walk.
    stem : str
        File stem of the walk's protocol.
    report : Report
        The whole protocol.
    owners : dict of str to tuple of (str, Report)
        Owner id → (file stem, sub-protocol with only that owner's remarks).
    """

    walk_id: str
    stem: str
    report: Report
    owners: dict[str, tuple[str, Report]]


def protocol_stem(walk_id: str, owner_id: str | None = None) -> str:
    """File stem of a walk's protocol, or of its sub-protocol for one owner.

    Both parts come from :func:`geomap.io.sanitize.owner_file_stem`, so any id gives a safe,
    unique name.

    Examples
    --------
    >>> protocol_stem("tv-2025-01"), protocol_stem("tv-2025-01", "huge_bostader")
    ('protokoll_tv-2025-01', 'protokoll_tv-2025-01_huge_bostader')
    """
    walk = owner_file_stem(walk_id, max_length=_NAME_LENGTH)
    if owner_id is None:
        return f"protokoll_{walk}"
    return f"protokoll_{walk}_{owner_file_stem(owner_id, max_length=_NAME_LENGTH)}"


def _statuses(register: str | os.PathLike[str] | Register | None) -> pd.Series | None:
    if register is None:
        return None
    reg = register if isinstance(register, Register) else open_register(register)
    frame = reg.remarks_frame()
    return pd.Series(frame["status_label"].to_numpy(), index=frame["remark_id"].astype(str))


def _walk_rows(remarks: gpd.GeoDataFrame, walk_ids: Sequence[str] | None) -> gpd.GeoDataFrame:
    walks = remarks[remarks["walk_id"].notna()] if "walk_id" in remarks else remarks.iloc[:0]
    if walks.empty:
        msg = "`routed`: no safety-walk remarks (column walk_id is empty in every row); route a walk protocol (with a column vandring_id) first"
        raise InputError(msg)
    known = list(dict.fromkeys(walks["walk_id"].astype(str)))
    if walk_ids is None:
        return walks
    if isinstance(walk_ids, str):  # one id, not its characters
        walk_ids = [walk_ids]
    unknown = [w for w in walk_ids if w not in known]
    if unknown:
        msg = f"`walk_ids`: no walk {', '.join(map(repr, unknown))} in the remarks; the walks are {', '.join(known[:20])}"
        raise InputError(msg)
    return walks[walks["walk_id"].astype(str).isin(list(walk_ids))]


def _light(meta: pd.DataFrame, walks: gpd.GeoDataFrame) -> pd.Series:
    """Daylight or dark at each walk's start (sun's elevation at the walk's mean position)."""
    points = walks[~walks.geometry.is_empty & walks.geometry.notna()]
    wgs = points.geometry.to_crs(4326)
    frame = pd.DataFrame({"walk_id": points["walk_id"].astype(str), "x": wgs.x, "y": wgs.y})
    centre = frame.groupby("walk_id").mean().reindex(meta.index)
    start = meta["date"] + pd.to_timedelta(meta["time"].fillna("00:00") + ":00")
    return daylight(start, centre["x"].to_numpy(), centre["y"].to_numpy())


def _header(walk_id: str, info: pd.Series, rows: pd.DataFrame, light: str, owner: str) -> list[str]:
    date = info["date"]
    positive = int((rows["Kategori"] == "Positivt").sum())
    count = plural(len(rows), "anmärkning", "anmärkningar")
    lines = [
        f"Vandring: {walk_id}",
        f"Plats: {info['place'] or 'okänd'}",
        f"Datum: {format_date(date) if pd.notna(date) else 'okänt'}",
        f"Starttid: {info['time'] or 'okänd'}",
        f"Ljus vid starten: {light}" + (" (beräknat från solens höjd)" if light != "okänd" else ""),
        f"Arrangör: {info['organiser'] or 'ej angiven'}",
        f"Deltagande organisationer: {_organisations(info['organisations'])}",
        f"I protokollet: {count}, varav {plural(positive, 'positiv', 'positiva')}",
    ]
    if owner:
        lines.append(
            f"Utdrag för {owner}: endast de anmärkningar som geomap har dirigerat till {owner}. "
            "Andra ägares anmärkningar finns inte i detta utdrag."
        )
    return lines


def _organisations(text: str | None) -> str:
    if not text:
        return "ej angivna"
    parts = [p.strip() for p in str(text).replace("\n", ";").split(";") if p.strip()]
    return ", ".join(parts)


def _map(walks: gpd.GeoDataFrame, routed: RoutedData, owner: str | None) -> MapView:
    """Draw the overview map: the remarks coloured by owner (positive ones green), numbered."""
    points = walks[walks.geometry.notna() & ~walks.geometry.is_empty]
    colours = {o.id: o.colour for o in routed.registry.owners}
    colour = points["owner"].map(colours).fillna(_UNROUTED_COLOUR)
    used = {c.lower() for c in colours.values()}
    green = next((c for c in _POSITIVE_COLOURS if c not in used), _POSITIVE_COLOURS[-1])
    positive = is_positive(points)
    names = points["owner_name"].fillna("Ej dirigerad")
    frame = gpd.GeoDataFrame(
        {
            "Nr": remark_numbers(points).astype(str),
            "Iakttagelse": points["description"].fillna("").to_numpy(),
            "Kategori": np.where(positive, "Positivt", points["category_label"].fillna("")),
            "Ansvarig": names.to_numpy(),
            "färg": np.where(positive, green, colour),
        },
        geometry=points.geometry.to_numpy(),
        crs=points.crs,
    )
    legend = dict(zip(colour[~positive], names[~positive], strict=True))
    if positive.any():
        legend[green] = "Positiv iakttagelse"
    layers = [
        MapLayer(
            "Anmärkningar",
            frame,
            colour_column="färg",
            label_column="Nr",
            popup_columns=("Nr", "Kategori", "Iakttagelse", "Ansvarig"),
            legend=legend,
        )
    ]
    land = _land(routed, frame, owner)
    if land is not None:
        layers.insert(0, land)
    return MapView(
        "Översiktskarta",
        layers,
        description="Anmärkningarna färgade efter ansvarig ägare (positiva gröna), på ägarnas mark.",
    )


def _land(routed: RoutedData, points: gpd.GeoDataFrame, owner: str | None) -> MapLayer | None:
    """Owner land around the walk (only the owner's own land in a sub-protocol)."""
    if routed.owners is None or points.empty:
        return None
    minx, miny, maxx, maxy = points.to_crs(routed.owners.crs).total_bounds
    land = routed.owners.cx[minx - 150 : maxx + 150, miny - 150 : maxy + 150]
    if owner is not None:
        land = land[land["owner"] == owner]
    if land.empty:
        return None
    colours = {o.id: o.colour for o in routed.registry.owners}
    names = {o.id: o.name for o in routed.registry.owners}
    frame = gpd.GeoDataFrame(
        {
            "Ägare": land["owner"].map(names).fillna(land["owner"]).to_numpy(),
            "färg": land["owner"].map(colours).fillna(_UNROUTED_COLOUR).to_numpy(),
        },
        geometry=land.geometry.to_numpy(),
        crs=land.crs,
    )
    return MapLayer(
        "Ägarnas mark", frame, kind="polygons", colour_column="färg", label_column="Ägare"
    )


def _per_owner(rows: pd.DataFrame) -> Table:
    positive = rows["Kategori"] == "Positivt"
    boundary = rows[FLAGS].str.contains("gräns", regex=False)
    table = (
        pd.DataFrame({"Ansvarig": rows[OWNER], "p": positive, "b": boundary})
        .groupby("Ansvarig", sort=True)
        .agg(
            Antal=("p", "size"), **{"varav positiva": ("p", "sum"), "varav gränsfall": ("b", "sum")}
        )
        .reset_index()
    )
    return Table(
        "per_ansvarig",
        "Anmärkningar per ansvarig",
        table,
        note="Varje ansvarig får ett eget utdrag av protokollet med bara sina anmärkningar.",
    )


_METHOD = (
    "Ansvarig enligt geomap: varje anmärkning har dirigerats av geomap route till den organisation "
    "som äger eller sköter marken där den gjordes (kategoriregel, driftansvar, ägande eller närmaste "
    "ägare inom 25 m); kolumnen Anledning säger varför. En anmärkning nära en gräns mellan två ägare "
    "är flaggad ”nära gräns – kontrollera”.",
    "Markägare enligt protokollet är den markägare som deltagarna skrev; skiljer den sig från "
    "geomaps är anmärkningen flaggad ”annan markägare enligt protokollet”.",
    "Uppföljning senast: vandringens datum plus {months}. Status kommer från uppföljningsregistret; "
    "”ej i registret” betyder att anmärkningen inte (ännu) finns där.",
    "Ljus vid starten: dagsljus när solens medelpunkt står högre än −0,833° över horisonten vid "
    "starttiden och platsen (NOAA:s solberäkning), annars mörker.",
    "Positiva iakttagelser (kategori Positivt) finns med i protokollet och i ägarnas utdrag.",
)


@dataclass(frozen=True)
class _Context:
    routed: RoutedData
    meta: pd.DataFrame
    light: pd.Series
    status: pd.Series | None
    months: int
    sources: tuple[str, ...]


def _report(ctx: _Context, walk_id: str, walks: gpd.GeoDataFrame, owner: str | None) -> Report:
    info = pd.Series(ctx.meta.loc[walk_id])
    date: pd.Timestamp | None = pd.Timestamp(info["date"]) if pd.notna(info["date"]) else None
    day = "datum okänt" if date is None else format_date(date)
    follow = None if date is None else date + pd.DateOffset(months=ctx.months)
    rows = protocol_rows(walks, follow_up=follow, status=ctx.status)
    names = walks["owner_name"].dropna()
    owner_name = "" if owner is None else str(names.iloc[0] if len(names) else owner)
    place = str(info["place"] or walk_id)
    seen, follow_up = split_rows(rows, place=str(info["place"] or ""))
    blocks: list[Table] = [
        Table(
            "anmarkningar",
            "Anmärkningar",
            seen,
            note="Nr är punktens nummer i protokollet; HTML-kartan visar det när du pekar på punkten.",
        ),
        Table("uppfoljning", "Ansvar och uppföljning", follow_up, formats={FOLLOW_UP: "datum"}),
    ]
    if owner is None:
        blocks.append(_per_owner(rows))
    months = plural(ctx.months, "månad", "månader")
    light = str(ctx.light.loc[walk_id])
    return Report(
        f"Protokoll från trygghetsvandring – {place}" + (f" – {owner_name}" if owner_name else ""),
        [
            Section("Vandringen", text=_header(walk_id, info, rows, light, owner_name)),
            Section("Översiktskarta", blocks=[_map(walks, ctx.routed, owner)]),
            Section("Anmärkningar och ansvariga", blocks=blocks),
        ],
        subtitle=f"{walk_id}, {day}",
        method=tuple(m.format(months=months) for m in _METHOD),
        sources=ctx.sources,
        synthetic=ctx.routed.synthetic,
        synthetic_label=ctx.routed.run_info.get("synthetic_label", ""),
        period="" if date is None else day,
    )


def build_protocols(
    routed: str | os.PathLike[str] | RoutedData,
    *,
    walk_ids: Sequence[str] | None = None,
    walks: str | os.PathLike[str] | pd.DataFrame | None = None,
    register: str | os.PathLike[str] | Register | None = None,
    follow_up_months: int = 6,
) -> list[WalkProtocol]:
    """Build the protocol of each safety walk in ``routed`` and one sub-protocol per owner.

    Parameters
    ----------
    routed : str, os.PathLike or RoutedData
        A ``routed.gpkg`` (or what :func:`geomap.core.routed.read_routed` returned).
    walk_ids : sequence of str, optional
        Only these walks (default: every walk in the remarks).
    walks : str, os.PathLike or pandas.DataFrame, optional
        The walk table (:func:`geomap.protocols.read_walks`): date, start time, place,
        organiser and organisations per walk; wins over the columns on the remark rows.
    register : str, os.PathLike or Register, optional
        The follow-up register (``arenden.gpkg`` or a ``postgresql://`` URL): each remark's
        status. Without it every status reads "ej i registret".
    follow_up_months : int, default 6
        Follow-up date = walk date + this many months.

    Returns
    -------
    list of WalkProtocol
        In order of the walks' first remark.

    Raises
    ------
    InputError
        If there are no walk remarks, a walk id is unknown or ``follow_up_months`` is not 0–60.

    Examples
    --------
    >>> import geomap
    >>> result = geomap.route("data/trygghetsvandringar_synthetic.gpkg",
    ...     owners="data/owners_synthetic.gpkg", registry="data/owners.toml")
    >>> protocols = build_protocols(RoutedData.from_result(result), walk_ids=["TV-2025-01"])
    >>> protocols[0].stem, sorted(protocols[0].owners)[:2]
    ('protokoll_TV-2025-01-018769ab', ['huddinge_kommun', 'huddinge_samhallsfastigheter'])
    """
    _check_months(follow_up_months)
    data = routed if isinstance(routed, RoutedData) else read_routed(routed)
    rows = _walk_rows(data.remarks, walk_ids)
    table = read_walks(walks) if isinstance(walks, (str, os.PathLike)) else walks
    meta = walk_metadata(rows, table)
    sources = _source_lines(data, walks, register)
    ctx = _Context(
        data, meta, _light(meta, rows), _statuses(register), follow_up_months, tuple(sources)
    )
    walks_by_id = rows.groupby(rows["walk_id"].astype(str), sort=False)  # one per walk
    return [_walk_protocol(ctx, walk_id, walk) for walk_id, walk in walks_by_id]


def _check_months(follow_up_months: int) -> None:
    """Refuse a ``follow_up_months`` that is not a whole number from 0 to 60."""
    if (
        isinstance(follow_up_months, bool)
        or not isinstance(follow_up_months, int)
        or not 0 <= follow_up_months <= 60
    ):
        msg = f"`follow_up_months`: {follow_up_months!r} is not a whole number of months 0–60; give e.g. 6"
        raise InputError(msg)


def _source_lines(
    data: RoutedData,
    walks: str | os.PathLike[str] | pd.DataFrame | None,
    register: str | os.PathLike[str] | Register | None,
) -> list[str]:
    """Return the protocol's source lines: the routed run, the walk table and the register."""
    sources = [f"Dirigerade anmärkningar: {data.path.name or 'geomap route'}"]
    if isinstance(walks, (str, os.PathLike)):
        sources.append(f"Vandringsuppgifter: {Path(walks).name}")
    if register is not None:
        sources.append(
            f"Uppföljningsregister: {Path(str(register)).name if not isinstance(register, Register) else 'angivet'}"
        )
    return sources


def _walk_protocol(ctx: _Context, walk_id: str, walk: gpd.GeoDataFrame) -> WalkProtocol:
    """Return one walk's protocol and its sub-protocols, one per owner (sorted by owner)."""
    owners = {
        str(owner): (
            protocol_stem(walk_id, str(owner)),
            _report(ctx, walk_id, part, str(owner)),
        )
        for owner, part in walk.groupby("owner", sort=True)
    }
    return WalkProtocol(walk_id, protocol_stem(walk_id), _report(ctx, walk_id, walk, None), owners)
