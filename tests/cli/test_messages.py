"""Usage errors of every command: exit 2, that command's usage line, and no Python in the text.

Each case runs a ``geomap`` command with bad arguments through click's test runner and checks
what a user sees: exit code 2, ``Usage: geomap <command> …`` of the command that was run (not of
the group), no traceback, no Python keyword arguments (``overwrite=True``), no backticked or
Python parameter names (``date_from``, ``replace_foreign``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.maps.helpers import write_routed

USAGE = {
    "route": "Usage: geomap route [OPTIONS] INPUTS...",
    "map": "Usage: geomap map [OPTIONS] ROUTED",
    "categories": "Usage: geomap categories [OPTIONS]",
    "demo-data": "Usage: geomap demo-data [OPTIONS]",
    "layers": "Usage: geomap layers [OPTIONS] COMMAND [ARGS]...",
    "layers validate": "Usage: geomap layers validate [OPTIONS] LAYER",
    "layers translate": "Usage: geomap layers translate [OPTIONS] LAYER",
    "layers export": "Usage: geomap layers export [OPTIONS] LAYERS...",
}


class Files:
    """Small existing files to name in commands: a remark CSV, owners, a routed.gpkg, folders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.csv = root / "in" / "remarks.csv"
        self.csv.parent.mkdir()
        self.csv.write_text("id;kategori;x;y\n1;klotter;150050;6570050\n", encoding="utf-8")
        self.routed = write_routed(root / "routed.gpkg")
        self.owners = self.routed  # a routed.gpkg has an owners layer
        self.existing_dir = root / "exists"
        self.existing_dir.mkdir()
        (self.existing_dir / "old.txt").write_text("old", encoding="utf-8")
        self.existing_file = root / "exists.html"
        self.existing_file.write_text("old", encoding="utf-8")
        self.layer = root / "layer.gpkg"
        self.layer.write_bytes(b"")


Case = Callable[[Files], list[object]]

CASES: list[tuple[str, str, Case]] = [
    ("route", "no inputs", lambda f: ["route"]),
    ("route", "missing input", lambda f: ["route", f.root / "nope.csv", "--owners", f.owners]),
    ("route", "no owners", lambda f: ["route", f.csv, "-o", f.root / "o"]),
    ("route", "no output", lambda f: ["route", f.csv, "--owners", f.owners]),
    (
        "route",
        "output exists",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.existing_dir],
    ),
    (
        "route",
        "output exists, --outdir",
        lambda f: ["route", f.csv, "--owners", f.owners, "--outdir", f.existing_dir],
    ),
    ("route", "output is a file", lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.csv]),
    (
        "route",
        "output holds the input",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.csv.parent, "--overwrite"],
    ),
    (
        "route",
        "negative tolerance",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.root / "o", "--tolerance", "-1"],
    ),
    (
        "route",
        "bad source",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.root / "o", "--source", "radio"],
    ),
    (
        "route",
        "zero workers",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.root / "o", "--workers", "0"],
    ),
    ("route", "unknown option", lambda f: ["route", f.csv, "--owners", f.owners, "--nope"]),
    (
        "route",
        "text distance",
        lambda f: [
            "route",
            f.csv,
            "--owners",
            f.owners,
            "-o",
            f.root / "o",
            "--max-distance",
            "far",
        ],
    ),
    ("map", "no output", lambda f: ["map", f.routed]),
    ("map", "no routed", lambda f: ["map", "-o", f.root / "m.html"]),
    ("map", "output exists", lambda f: ["map", f.routed, "-o", f.existing_file, "--no-districts"]),
    ("map", "output is a folder", lambda f: ["map", f.routed, "-o", f.existing_dir]),
    (
        "map",
        "districts twice",
        lambda f: [
            "map",
            f.routed,
            "-o",
            f.root / "m.html",
            "--no-districts",
            "--districts",
            f.routed,
        ],
    ),
    (
        "map",
        "bad from",
        lambda f: ["map", f.routed, "-o", f.root / "m.html", "--from", "2025-13-01"],
    ),
    (
        "map",
        "from without to",
        lambda f: ["map", f.routed, "-o", f.root / "m.html", "--from", "2025-01-01"],
    ),
    (
        "map",
        "two periods",
        lambda f: [
            "map",
            f.routed,
            "-o",
            f.root / "m.html",
            "--week",
            "2025-W01",
            "--month",
            "2025-01",
        ],
    ),
    ("map", "bad week", lambda f: ["map", f.routed, "-o", f.root / "m.html", "--week", "2025-W60"]),
    (
        "map",
        "bad tertial",
        lambda f: ["map", f.routed, "-o", f.root / "m.html", "--tertial", "2025-T4"],
    ),
    (
        "map",
        "bad years",
        lambda f: ["map", f.routed, "-o", f.root / "m.html", "--years", "2026-2024"],
    ),
    (
        "categories",
        "missing vocabulary",
        lambda f: ["categories", "--vocabulary", f.root / "nope.toml"],
    ),
    ("categories", "extra argument", lambda f: ["categories", "klotter"]),
    ("demo-data", "no output", lambda f: ["demo-data"]),
    ("demo-data", "output exists", lambda f: ["demo-data", "-o", f.existing_dir]),
    ("demo-data", "negative points", lambda f: ["demo-data", "-o", f.root / "d", "--points", "-1"]),
    ("demo-data", "bad format", lambda f: ["demo-data", "-o", f.root / "d", "--format", "shp"]),
    ("layers", "unknown subcommand", lambda f: ["layers", "nope"]),
    ("layers validate", "no owner", lambda f: ["layers", "validate", f.layer]),
    (
        "layers validate",
        "unknown owner",
        lambda f: ["layers", "validate", f.layer, "--owner", "parkbolaget"],
    ),
    (
        "layers validate",
        "bad format",
        lambda f: ["layers", "validate", f.layer, "--owner", "huge_bostader", "--format", "xml"],
    ),
    (
        "layers translate",
        "no output",
        lambda f: ["layers", "translate", f.layer, "--owner", "huge_bostader"],
    ),
    (
        "layers translate",
        "output exists",
        lambda f: [
            "layers",
            "translate",
            f.layer,
            "--owner",
            "huge_bostader",
            "-o",
            f.existing_file,
        ],
    ),
    ("layers export", "no layers", lambda f: ["layers", "export", "-o", f.root / "e"]),
    (
        "layers export",
        "output exists",
        lambda f: ["layers", "export", f.layer, "-o", f.existing_dir],
    ),
]

ROUTE_CHANGE_CASES: list[tuple[str, str, Case]] = [
    (
        "route",
        "nan tolerance",
        lambda f: ["route", f.csv, "--owners", f.owners, "-o", f.root / "o", "--tolerance", "nan"],
    ),
    (
        "route",
        "infinite max distance",
        lambda f: [
            "route",
            f.csv,
            "--owners",
            f.owners,
            "-o",
            f.root / "o",
            "--max-distance",
            "inf",
        ],
    ),
]


def _command(path: str) -> click.Command:
    command: click.Command = cli
    for name in path.split():
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _python_names(path: str) -> set[str]:
    """Parameter names of the command that are not also how a user writes them."""
    command = _command(path)
    names = {p.name for p in command.params if p.name}
    spelled = {o.lstrip("-") for p in command.params for o in getattr(p, "opts", [])}
    return {n for n in names if "_" in n and n not in spelled}


def _check_usage_error(tmp_path: Path, path: str, case: Case) -> None:
    files = Files(tmp_path)
    args = [str(a) for a in case(files)]
    result = CliRunner().invoke(cli, args, prog_name="geomap")
    text = result.output + (result.stderr if result.stderr_bytes else "")
    assert result.exit_code == 2, text
    assert USAGE[path] in text.splitlines(), text
    assert "Traceback" not in text
    assert "=True" not in text and "=False" not in text, text
    assert "`" not in text, text
    used = {n for n in _python_names(path) if re.search(rf"\b{n}\b", text)}
    assert not used, text
    assert (files.existing_dir / "old.txt").read_text(encoding="utf-8") == "old"
    assert files.existing_file.read_text(encoding="utf-8") == "old"
    assert files.csv.exists()


@pytest.mark.parametrize(("path", "what", "case"), CASES, ids=[f"{p}: {w}" for p, w, _ in CASES])
def test_usage_error(tmp_path: Path, path: str, what: str, case: Case) -> None:
    _check_usage_error(tmp_path, path, case)


@pytest.mark.parametrize(
    ("path", "what", "case"),
    ROUTE_CHANGE_CASES,
    ids=[f"{p}: {w}" for p, w, _ in ROUTE_CHANGE_CASES],
)
def test_non_finite_distance_is_a_usage_error(
    tmp_path: Path, path: str, what: str, case: Case
) -> None:
    _check_usage_error(tmp_path, path, case)


def test_existing_output_names_the_option(tmp_path: Path) -> None:
    files = Files(tmp_path)
    args = ["route", str(files.csv), "--owners", str(files.owners), "-o", str(files.existing_dir)]
    result = CliRunner().invoke(cli, args, prog_name="geomap")
    assert result.exit_code == 2
    assert "already exists; pass --overwrite to replace it" in result.output
    assert "Try 'geomap route --help' for help." in result.output


def test_every_command_is_covered() -> None:
    def paths(command: click.Command, prefix: str) -> list[str]:
        if isinstance(command, click.Group):
            return [
                prefix.strip(),
                *(p for n, c in command.commands.items() for p in paths(c, f"{prefix} {n}")),
            ]
        return [prefix.strip()]

    every = {p for p in paths(cli, "") if p}
    assert every == set(USAGE)
    assert {p for p, _, _ in CASES} == every
