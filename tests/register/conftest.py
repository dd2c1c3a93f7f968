"""Fixtures of the register tests: routed weeks built in code, and a throw-away PostGIS server.

``postgis_server`` (session scope) runs Debian's PostgreSQL 15 ``initdb`` into a temporary
folder, starts ``postgres`` on a Unix socket in that folder (as the ``postgres`` user when the
tests run as root), and stops it at the end; ``register_target`` gives each test a fresh
GeoPackage path or a fresh PostGIS database.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import geomap
from geomap.io.sheets import write_csv
from geomap.routing.outputs import write_routed_gpkg

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _hard_case_xy() -> dict[str, tuple[float, float]]:
    frame = pd.read_csv(
        DATA / "hard_cases_synthetic.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    return {r.arendenr: (float(r.E), float(r.N)) for r in frame.itertuples()}


def week_rows(week: int) -> pd.DataFrame:
    """The remarks of week 1 or 2 of the scenario (an incident log export)."""
    xy = _hard_case_xy()
    huge, kommun, privat = xy["SF-01"], xy["SF-03"], xy["SF-04"]
    rows = {
        1: [
            ("W1-1", "2025-06-02 10:00", "Klotter", "Tags på fasaden", huge, 0, "lägesbild"),
            ("W1-2", "2025-06-02 11:00", "Skadegörelse", "Trasig bänk", huge, 5, "lägesbild"),
            (
                "W1-3",
                "2025-06-03 09:00",
                "Nedskräpning",
                "Skräp vid lekplatsen",
                kommun,
                0,
                "lägesbild",
            ),
            (
                "W1-4",
                "2025-06-03 12:00",
                "Igenväxt vegetation",
                "Buskage skymmer",
                kommun,
                5,
                "lägesbild",
            ),
            (
                "W1-5",
                "2025-06-04 08:00",
                "Klotter",
                "Ring 070-123 45 67 om klottret",
                privat,
                0,
                "lägesbild",
            ),
            (
                "W1-6",
                "2025-06-04 09:00",
                "Hot mot personal",
                "Väktare hotad",
                privat,
                5,
                "lägesbild",
            ),
        ],
        2: [
            (
                "W1-3",
                "2025-06-03 09:00",
                "Nedskräpning",
                "Skräp vid lekplatsen",
                kommun,
                0,
                "lägesbild",
            ),
            (
                "W2-1",
                "2025-06-09 10:00",
                "Klotter",
                "Klotter på fasaden igen",
                huge,
                3,
                "felanmälan",
            ),
        ],
    }[week]
    return pd.DataFrame(
        {
            "arendenr": [r[0] for r in rows],
            "datum": [r[1] for r in rows],
            "kategori": [r[2] for r in rows],
            "beskrivning": [r[3] for r in rows],
            "E": [r[4][0] + r[5] for r in rows],
            "N": [r[4][1] for r in rows],
            "kalla": [r[6] for r in rows],
        }
    )


REGISTRY = """\
[meta]
synthetic = true
synthetic_label = "Syntetiska testdata"

[[owner]]
id = "huddinge_kommun"
name = "Huddinge kommun"
priority = 10
service_days = 14
service_days_by_category = { klotter = 7 }

[[owner]]
id = "huge_bostader"
name = "Huge Bostäder AB"
priority = 20
service_days = 10

[[owner]]
id = "huddinge_samhallsfastigheter"
name = "Huddinge Samhällsfastigheter AB"
priority = 30
service_days = 14

[[owner]]
id = "trafikverket"
name = "Trafikverket"
priority = 5
service_days = 30
external = true

[[owner]]
id = "privat"
name = "Privat fastighetsägare"
priority = 90
service_days = 30
external = true

[[owner]]
id = "huddinge_kommun_belysning"
name = "Huddinge kommun – gatubelysning"
priority = 15
service_days = 7

[[owner]]
id = "ellevio"
name = "Ellevio AB (elnät)"
priority = 40
service_days = 14
external = true
"""


def routed_week(folder: Path, week: int) -> Path:
    """Route the remarks of a week with the demo owners and :data:`REGISTRY`; return its routed.gpkg."""
    folder.mkdir(parents=True, exist_ok=True)
    table = write_csv(week_rows(week), folder / f"vecka{week}.csv")
    registry = folder / "owners.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    result = geomap.route(
        table,
        owners=DATA / "owners_synthetic.gpkg",
        registry=registry,
        crs="EPSG:3011",
    )
    out = folder / f"routed_v{week}.gpkg"
    write_routed_gpkg(result, out)
    return out


@pytest.fixture(scope="session")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The routed.gpkg of week 1 and week 2 (built once)."""
    base = tmp_path_factory.mktemp("weeks")
    return {week: routed_week(base / f"v{week}", week) for week in (1, 2)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[str]:
    """A PostgreSQL 15 + PostGIS server in a temporary folder; yields its base URL."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            "PostgreSQL 15 is not installed (Debian postgresql-15, postgresql-15-postgis-3)"
        )
    if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        pytest.skip("PostGIS for PostgreSQL 15 is not installed (Debian postgresql-15-postgis-3)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start postgres as the postgres user")
    base = Path(tempfile.mkdtemp(prefix="geomap-pg-"))  # pytest's folders are root's only
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    _as_postgres(
        [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
    )
    options = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off"
    _as_postgres(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ]
    )
    try:
        yield f"postgresql://postgres@/{{db}}?host={sock}&port={port}"
    finally:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(base, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def postgis_url(postgis_server: str) -> str:
    """A new, empty database with PostGIS on the test server."""
    import psycopg

    name = f"register_{next(_numbers)}"
    with psycopg.connect(postgis_server.format(db="postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgis_server.format(db=name)


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def register_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A register to be created: a GeoPackage path, or a PostGIS database."""
    if request.param == "gpkg":
        return str(tmp_path / "arenden.gpkg")
    return str(request.getfixturevalue("postgis_url"))
