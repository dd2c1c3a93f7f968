"""Store QGIS default styles inside a GeoPackage (the ``layer_styles`` table QGIS itself uses).

QGIS looks for a row with ``useAsDefault = 1`` for the layer's table and geometry column when
the layer is opened and applies its ``styleQML``; other clients can read ``styleSLD``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

__all__ = ["LAYER_STYLES_TABLE", "write_layer_styles"]

LAYER_STYLES_TABLE = "layer_styles"

_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def _geometry_column(db: sqlite3.Connection, table: str) -> str:
    row = db.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if row is None:
        msg = f"GeoPackage has no geometry table {table!r}; write the layer before its style"
        raise ValueError(msg)
    return str(row[0])


def write_layer_styles(
    gpkg: str | os.PathLike[str],
    styles: Mapping[str, tuple[str, str]],
    *,
    description: str = "",
    style_name: str = "skotselprodukter",
) -> None:
    """Store ``{layer: (qml, sld)}`` as each layer's default style in ``gpkg``.

    Existing default styles of those layers are replaced. The table is registered in
    ``gpkg_contents`` as an ``attributes`` table, as QGIS does.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.gpkg"
    >>> gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=3011).to_file(p, layer="pt")
    >>> write_layer_styles(p, {"pt": ("<qgis/>", "<sld/>")})
    """
    stamp = dt.datetime.now(dt.UTC)
    now = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    with closing(sqlite3.connect(Path(gpkg))) as db, db:
        db.execute(_CREATE)
        registered = db.execute(
            "SELECT 1 FROM gpkg_contents WHERE table_name = ?", (LAYER_STYLES_TABLE,)
        ).fetchone()
        if registered is None:
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change) "
                "VALUES (?, 'attributes', ?, ?)",
                (LAYER_STYLES_TABLE, LAYER_STYLES_TABLE, now),
            )
        for table, (qml, sld) in styles.items():
            column = _geometry_column(db, table)
            db.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (table,))
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
                (table, column, style_name, qml, sld, description, now),
            )
