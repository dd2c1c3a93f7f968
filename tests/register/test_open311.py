"""The Open311 GeoReport v2 export validates against the specification's fields and forms."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from geomap.errors import OutputExistsError
from geomap.register import open_register
from geomap.register.ingest import ingest
from geomap.register.open311 import REQUEST_FIELDS, SERVICE_FIELDS, export_open311
from geomap.register.privacy import PrivacyPolicy

SCHEMA = json.loads(
    (Path(__file__).with_name("open311_georeport_v2.schema.json")).read_text("utf-8")
)


def _schema(kind: str) -> dict[str, object]:
    return {"$defs": SCHEMA["$defs"], "type": "array", "items": {"$ref": f"#/$defs/{kind}"}}


@pytest.fixture
def exported(register_target: str, weeks: dict[int, Path], tmp_path: Path) -> Path:
    register = open_register(register_target)
    ingest(register, weeks[1], now="2025-06-05T08:00:00+00:00")
    ingest(register, weeks[2], now="2025-06-12T08:00:00+00:00")
    export_open311(register, tmp_path / "open311", today=dt.date(2025, 6, 30))
    return tmp_path / "open311"


def test_json_validates(exported: Path) -> None:
    services = json.loads((exported / "services.json").read_text("utf-8"))
    requests = json.loads((exported / "requests.json").read_text("utf-8"))
    jsonschema.validate(services, _schema("service"))
    jsonschema.validate(requests, _schema("request"))
    by_id = {r["service_request_id"]: r for r in requests}
    assert "W1-6" not in by_id  # hot mot personal is withheld
    assert by_id["W1-5"]["description"] == "Ring [telefonnummer] om klottret"
    assert by_id["W2-1"]["status"] == "closed" and by_id["W2-1"]["status_notes"] == "Dubblett"
    assert by_id["W1-1"]["requested_datetime"] == "2025-06-02T10:00:00+02:00"
    assert by_id["W1-1"]["expected_datetime"] == "2025-06-15T00:00:00+02:00"  # Huge: 10 days
    assert by_id["W1-1"]["agency_responsible"] == "Huge Bostäder AB"
    assert 59.0 < by_id["W1-1"]["lat"] < 59.4 and 17.7 < by_id["W1-1"]["long"] < 18.3


def _children(path: Path, root: str, row: str) -> list[dict[str, str]]:
    tree = ET.parse(path).getroot()
    assert tree.tag == root
    rows = list(tree)
    assert rows and all(r.tag == row for r in rows)
    return [{c.tag: (c.text or "") for c in r} for r in rows]


def test_xml_has_the_element_structure_of_the_spec(exported: Path) -> None:
    assert (exported / "requests.xml").read_bytes().startswith(b"<?xml")
    services = _children(exported / "services.xml", "services", "service")
    assert all(set(s) == set(SERVICE_FIELDS) for s in services)
    assert {s["metadata"] for s in services} == {"false"}
    requests = _children(exported / "requests.xml", "service_requests", "request")
    assert all(set(r) <= set(REQUEST_FIELDS) for r in requests)
    assert all(r["status"] in {"open", "closed"} for r in requests)
    as_json = json.loads((exported / "requests.json").read_text("utf-8"))
    assert [r["service_request_id"] for r in requests] == [r["service_request_id"] for r in as_json]


def test_export_refuses_to_overwrite(exported: Path, register_target: str) -> None:
    with pytest.raises(OutputExistsError):
        export_open311(open_register(register_target), exported)
    export_open311(open_register(register_target), exported, overwrite=True,
                   privacy=PrivacyPolicy(withheld_categories=(), redact=()))  # fmt: skip
    requests = json.loads((exported / "requests.json").read_text("utf-8"))
    assert "W1-6" in {r["service_request_id"] for r in requests}
