"""Translation into shared terms: shared columns added, local columns kept, errors refused."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from geomap.errors import InputError, OutputExistsError
from geomap.maintenance import load_owner, load_vocabulary, read_layer
from geomap.maintenance.translate import (
    SHARED_COLUMNS,
    ValidationFailedError,
    translate_layer,
    write_translated,
)

from tests.maintenance.helpers import owner_layer, write_layer

VOC = load_vocabulary()


@pytest.mark.parametrize(
    ("owner", "column", "local", "shared"),
    [
        ("huddinge_kommun", "skotselkod", "GRÄS-BRUK", "G2"),
        ("huddinge_samhallsfastigheter", "Produkt", "Gräs, bruks", "G2"),
        ("huge_bostader", "SM_KOD", "G2.1", "G2"),
    ],
)
def test_shared_codes_added_local_code_kept(
    tmp_path: Path, owner: str, column: str, local: str, shared: str
) -> None:
    frame = owner_layer(owner)
    layer = read_layer(write_layer(frame, tmp_path / "l.gpkg"))
    out = translate_layer(layer, load_owner(owner), VOC).frame
    assert list(out.columns[-len(SHARED_COLUMNS) - 1 : -1]) == list(SHARED_COLUMNS)
    assert out[column].tolist() == frame[column].tolist()  # the owner's own column is untouched
    assert out["lokal_kod"].tolist() == frame[column].tolist()
    row = out.loc[out[column] == local].iloc[0]
    assert (row["produktkod"], row["produktnamn"], row["enhet"]) == (shared, "Bruksgräsmatta", "m²")
    assert set(out["agare"]) == {owner} and set(out["vokabular_version"]) == {"2026.2"}
    assert out["lokal_id"].tolist() == frame[load_owner(owner).id_column].astype(str).tolist()


def test_translation_refuses_validation_errors(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    frame.loc[[2, 3], "skotselkod"] = "OKÄND"
    layer = read_layer(write_layer(frame, tmp_path / "l.gpkg"))
    with pytest.raises(
        ValidationFailedError, match=r"first: unknown_code OKÄND \(2 feature"
    ) as info:
        translate_layer(layer, load_owner("huddinge_kommun"), VOC)
    assert info.value.report.errors[0].local_code == "OKÄND"
    assert "geomap layers validate" in str(info.value)


def test_translation_refuses_column_clash(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun").assign(produktkod="x")
    layer = read_layer(write_layer(frame, tmp_path / "l.gpkg"))
    with pytest.raises(InputError, match=r"already has column\(s\) \['produktkod'\]"):
        translate_layer(layer, load_owner("huddinge_kommun"), VOC)


def test_write_translated_records_version_and_refuses_overwrite(tmp_path: Path) -> None:
    layer = read_layer(write_layer(owner_layer("huge_bostader"), tmp_path / "l.gpkg"))
    result = translate_layer(layer, load_owner("huge_bostader"), VOC)
    out = write_translated(result, tmp_path / "delad.gpkg", VOC)
    info = pyogrio.read_dataframe(out, layer="export_info")
    values = dict(zip(info["key"], info["value"], strict=True))
    assert values["vokabular_version"] == "2026.2" and values["synthetic"] == "true"
    assert values["agare"] == "huge_bostader"
    assert pyogrio.read_info(out, layer="skotsel")["dataset_metadata"] == {
        "vokabular_version": "2026.2"
    }
    with pytest.raises(OutputExistsError, match=r"delad.gpkg already exists; pass `overwrite`"):
        write_translated(result, out, VOC)
    with pytest.raises(
        InputError, match=r"output must be a GeoPackage \(.gpkg\); received suffix '.shp'"
    ):
        write_translated(result, tmp_path / "x.shp", VOC)
