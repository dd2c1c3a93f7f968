"""``geomap register export open311``: the register as Open311 GeoReport v2 files.

Writes, atomically into one folder, what a GeoReport v2 server answers to *GET Service List*
and *GET Service Requests* (https://wiki.open311.org/GeoReport_v2), as JSON and XML:

- ``services.json``/``.xml``: one service per category of the vocabulary (``service_code`` =
  the category code, ``service_name`` = its Swedish label, ``keywords`` = its aliases);
- ``requests.json``/``.xml``: one request per remark: ``service_request_id``, ``status``
  (``open``/``closed``), ``status_notes`` (the Swedish status and the owner's comment),
  ``service_name``, ``service_code``, ``description``, ``agency_responsible`` (the owner's
  name), ``service_notice`` (the routing reason), ``requested_datetime``, ``updated_datetime``,
  ``expected_datetime`` (from the service level), ``address`` (the place), ``lat``, ``long``
  (WGS84). Date-times are ISO 8601 with the Swedish offset (``2025-06-01T14:30:00+02:00``).

Privacy: remarks of the policy's withheld categories are left out, and free text is redacted
(:mod:`geomap.register.redact`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from geomap.core.categories import load_categories
from geomap.io.atomic import atomic_dir
from geomap.register.privacy import DEFAULT_POLICY, PrivacyPolicy
from geomap.register.redact import redact_series
from geomap.register.register import Register, state_frame
from geomap.register.statuses import OPEN311_STATUS, STATUS_LABELS

__all__ = ["REQUEST_FIELDS", "SERVICE_FIELDS", "export_open311", "requests_frame", "services_frame"]

#: Fields of a service (GET Service List), in the specification's order.
SERVICE_FIELDS: tuple[str, ...] = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
#: Fields of a service request (GET Service Requests) that the register fills.
REQUEST_FIELDS: tuple[str, ...] = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "lat",
    "long",
)
_ZONE = "Europe/Stockholm"


def services_frame() -> pd.DataFrame:
    """Return the category vocabulary as Open311 services.

    Examples
    --------
    >>> services_frame().loc[0, ["service_code", "service_name", "type"]].tolist()
    ['skadegorelse', 'Skadegörelse', 'batch']
    """
    items = load_categories().items
    return pd.DataFrame(
        {
            "service_code": [c.code for c in items],
            "service_name": [c.label for c in items],
            "description": [f"Anmärkningar i kategorin {c.label}" for c in items],
            "metadata": False,
            "type": "batch",
            "keywords": [",".join(c.aliases) for c in items],
            "group": "Trygghet och skötsel",
        }
    )[list(SERVICE_FIELDS)]


def _iso(local: pd.Series) -> pd.Series:
    """Naive Swedish local times (or aware ones) as ISO 8601 with offset; None where missing."""
    values = pd.to_datetime(local, errors="coerce")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        aware = values.dt.tz_convert(_ZONE)
    else:
        aware = values.dt.tz_localize(_ZONE, ambiguous="NaT", nonexistent="shift_forward")
    text = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
        r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True
    )
    return text.astype(object).where(text.notna(), None)


def requests_frame(
    register: Register, *, privacy: PrivacyPolicy = DEFAULT_POLICY, today: dt.date | None = None
) -> pd.DataFrame:
    """Return the register's remarks as Open311 service requests (withheld categories left out).

    Examples
    --------
    >>> requests_frame(open_register("arenden.gpkg")).columns[:3].tolist()  # doctest: +SKIP
    ['service_request_id', 'status', 'status_notes']
    """
    registry = register.registry()
    remarks = state_frame(register.remarks(), registry, today=today)
    remarks = remarks[~remarks["category"].isin(privacy.withheld_categories)].reset_index(drop=True)
    names = {o.id: o.name for o in registry.owners}
    comment = redact_series(remarks["comment"], kinds=privacy.redact).fillna("")
    notes = remarks["status"].map(STATUS_LABELS).fillna(remarks["status"]).str.capitalize()
    notes = notes.where(comment == "", notes + ". " + comment)
    requested = remarks["timestamp"].where(remarks["timestamp"].notna(), remarks["assigned_at"])
    srid = register.store.srid or 3011
    lon, lat = Transformer.from_crs(f"EPSG:{srid}", "EPSG:4326", always_xy=True).transform(
        remarks["e"].to_numpy(float), remarks["n"].to_numpy(float)
    )
    frame = pd.DataFrame(
        {
            "service_request_id": remarks["remark_id"],
            "status": remarks["status"].map(OPEN311_STATUS).fillna("open"),
            "status_notes": notes,
            "service_name": remarks["category_label"],
            "service_code": remarks["category"],
            "description": redact_series(remarks["description"], kinds=privacy.redact),
            "agency_responsible": remarks["owner"].map(names).where(remarks["owner"].notna(), None),
            "service_notice": redact_series(remarks["reason"], kinds=privacy.redact),
            "requested_datetime": _iso(requested),
            "updated_datetime": _iso(remarks["updated_at"]),
            "expected_datetime": _iso(remarks["due_date"]),
            "address": redact_series(remarks["place"], kinds=privacy.redact),
            "lat": np.round(lat, 7),
            "long": np.round(lon, 7),
        }
    )
    return frame[list(REQUEST_FIELDS)]


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """JSON records: missing values are left out (GeoReport's optional fields)."""
    text = frame.to_json(orient="records", force_ascii=False, double_precision=7)
    return [{k: v for k, v in row.items() if v is not None} for row in json.loads(text)]


def _xml(frame: pd.DataFrame, root: str, row: str) -> str:
    """XML as GeoReport v2 serves it: ``<root><row><field>…</field>…</row>…</root>``."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == bool:
            shown[column] = np.where(shown[column], "true", "false")
    if shown.empty:
        return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}/>\n'
    return str(
        shown.to_xml(
            index=False, root_name=root, row_name=row, parser="etree", xml_declaration=True
        )
    )


def export_open311(
    register: Register,
    outdir: str | os.PathLike[str],
    *,
    privacy: PrivacyPolicy = DEFAULT_POLICY,
    overwrite: bool = False,
    today: dt.date | None = None,
) -> list[str]:
    """Write ``services.json``/``.xml`` and ``requests.json``/``.xml`` into ``outdir`` (atomically).

    Parameters
    ----------
    register : Register
        The register to export.
    outdir : str or os.PathLike
        Folder to write (refused when it exists, unless ``overwrite``).
    privacy : PrivacyPolicy, optional
        Withheld categories and redaction (default: the default policy).
    overwrite : bool, default False
        Replace an ``outdir`` geomap wrote.
    today : datetime.date, optional
        The day that decides which remarks are overdue (not exported; kept for symmetry).

    Returns
    -------
    list of str
        The file names written.

    Examples
    --------
    >>> export_open311(open_register("arenden.gpkg"), "open311")  # doctest: +SKIP
    ['services.json', 'services.xml', 'requests.json', 'requests.xml']
    """
    register.require()
    services = services_frame()
    requests = requests_frame(register, privacy=privacy, today=today)
    files = {
        "services.json": json.dumps(_records(services), ensure_ascii=False, indent=1),
        "services.xml": _xml(services, "services", "service"),
        "requests.json": json.dumps(_records(requests), ensure_ascii=False, indent=1),
        "requests.xml": _xml(requests, "service_requests", "request"),
    }
    with atomic_dir(outdir, overwrite=overwrite, kind="open311") as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(
                text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8"
            )
    return list(files)
