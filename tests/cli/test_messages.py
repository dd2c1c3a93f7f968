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
import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.register import open_register
from geomap.register.ingest import ingest

from tests.maps.helpers import make_remarks, write_routed

USAGE = {
    "route": "Usage: geomap route [OPTIONS] INPUTS...",
    "map": "Usage: geomap map [OPTIONS] ROUTED",
    "categories": "Usage: geomap categories [OPTIONS]",
    "demo-data": "Usage: geomap demo-data [OPTIONS]",
    "layers": "Usage: geomap layers [OPTIONS] COMMAND [ARGS]...",
    "layers validate": "Usage: geomap layers validate [OPTIONS] LAYER",
    "layers translate": "Usage: geomap layers translate [OPTIONS] LAYER",
    "layers export": "Usage: geomap layers export [OPTIONS] LAYERS...",
    "lagesbild": "Usage: geomap lagesbild [OPTIONS] ROUTED...",
    "protokoll": "Usage: geomap protokoll [OPTIONS] ROUTED",
    "utvardera": "Usage: geomap utvardera [OPTIONS] SITES",
    "register": "Usage: geomap register [OPTIONS] COMMAND [ARGS]...",
    "register ingest": "Usage: geomap register ingest [OPTIONS] ROUTED",
    "register lists": "Usage: geomap register lists [OPTIONS]",
    "register update": "Usage: geomap register update [OPTIONS] RETURNED",
    "register reassign": "Usage: geomap register reassign [OPTIONS] REMARK_ID",
    "register unlink": "Usage: geomap register unlink [OPTIONS] REMARK_ID",
    "register status": "Usage: geomap register status [OPTIONS]",
    "register export": "Usage: geomap register export [OPTIONS] COMMAND [ARGS]...",
    "register export open311": "Usage: geomap register export open311 [OPTIONS]",
}

#: Argument names of library functions that no command has as an option: never in a message.
LIBRARY_NAMES = ("replace_foreign", "walk_ids", "sites_layer", "sites_crs", "outdir")


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
        self.new_register = root / "arenden.gpkg"  # not created
        self.walked = root / "walked" / "routed.gpkg"

    @property
    def register(self) -> Path:
        """A register holding the remarks of ``routed`` (made on first use)."""
        if not self.new_register.exists():
            ingest(open_register(self.new_register), self.routed)
        return self.new_register

    @property
    def walks(self) -> Path:
        """A routed.gpkg whose remarks come from one safety walk, TV-1 (made on first use)."""
        if not self.walked.exists():
            self.walked.parent.mkdir()
            remarks = make_remarks().assign(walk_id="TV-1", walk_date=pd.Timestamp("2025-03-01"))
            write_routed(self.walked, remarks=remarks)
        return self.walked


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
    ("lagesbild", "no routed", lambda f: ["lagesbild", "--week", "2025-W10", "-o", f.root / "l"]),
    (
        "lagesbild",
        "missing routed",
        lambda f: ["lagesbild", f.root / "nope.gpkg", "--week", "2025-W10", "-o", f.root / "l"],
    ),
    ("lagesbild", "no period", lambda f: ["lagesbild", f.routed, "-o", f.root / "l"]),
    ("lagesbild", "no output", lambda f: ["lagesbild", f.routed, "--week", "2025-W10"]),
    (
        "lagesbild",
        "output exists",
        lambda f: ["lagesbild", f.routed, "--week", "2025-W10", "-o", f.existing_dir],
    ),
    (
        "lagesbild",
        "output not written by geomap",
        lambda f: [
            "lagesbild",
            f.routed,
            "--week",
            "2025-W10",
            "-o",
            f.existing_dir,
            "--overwrite",
        ],
    ),
    (
        "lagesbild",
        "output holds the input",
        lambda f: ["lagesbild", f.routed, "--week", "2025-W10", "-o", f.root, "--overwrite"],
    ),
    (
        "lagesbild",
        "bad week",
        lambda f: ["lagesbild", f.routed, "--week", "2025-W60", "-o", f.root / "l"],
    ),
    (
        "lagesbild",
        "week without W",
        lambda f: ["lagesbild", f.routed, "--week", "v47", "-o", f.root / "l"],
    ),
    (
        "lagesbild",
        "bad tertial",
        lambda f: ["lagesbild", f.routed, "--tertial", "2025-T4", "-o", f.root / "l"],
    ),
    (
        "lagesbild",
        "bad years",
        lambda f: ["lagesbild", f.routed, "--years", "2026-2024", "-o", f.root / "l"],
    ),
    (
        "lagesbild",
        "from without to",
        lambda f: ["lagesbild", f.routed, "--from", "2025-01-01", "-o", f.root / "l"],
    ),
    (
        "lagesbild",
        "two periods",
        lambda f: [
            "lagesbild",
            f.routed,
            "--week",
            "2025-W10",
            "--tertial",
            "2025-T1",
            "-o",
            f.root / "l",
        ],
    ),
    (
        "lagesbild",
        "bad format",
        lambda f: [
            "lagesbild",
            f.routed,
            "--week",
            "2025-W10",
            "-o",
            f.root / "l",
            "--format",
            "docx",
        ],
    ),
    (
        "lagesbild",
        "too few permutations",
        lambda f: [
            "lagesbild",
            f.routed,
            "--week",
            "2025-W10",
            "-o",
            f.root / "l",
            "--permutations",
            "5",
        ],
    ),
    (
        "lagesbild",
        "missing grouping",
        lambda f: [
            "lagesbild",
            f.routed,
            "--week",
            "2025-W10",
            "-o",
            f.root / "l",
            "--grouping",
            f.root / "nope.csv",
        ],
    ),
    ("protokoll", "no routed", lambda f: ["protokoll", "--all", "-o", f.root / "p"]),
    (
        "protokoll",
        "missing routed",
        lambda f: ["protokoll", f.root / "nope.gpkg", "--all", "-o", f.root / "p"],
    ),
    ("protokoll", "neither --walk nor --all", lambda f: ["protokoll", f.walks, "-o", f.root / "p"]),
    (
        "protokoll",
        "--walk and --all",
        lambda f: ["protokoll", f.walks, "--walk", "TV-1", "--all", "-o", f.root / "p"],
    ),
    ("protokoll", "no output", lambda f: ["protokoll", f.walks, "--all"]),
    ("protokoll", "output exists", lambda f: ["protokoll", f.walks, "--all", "-o", f.existing_dir]),
    (
        "protokoll",
        "output not written by geomap",
        lambda f: ["protokoll", f.walks, "--all", "-o", f.existing_dir, "--overwrite"],
    ),
    (
        "protokoll",
        "output holds the input",
        lambda f: ["protokoll", f.walks, "--all", "-o", f.walks.parent, "--overwrite"],
    ),
    (
        "protokoll",
        "negative follow-up",
        lambda f: [
            "protokoll",
            f.walks,
            "--all",
            "-o",
            f.root / "p",
            "--follow-up-months",
            "-1",
        ],
    ),
    (
        "protokoll",
        "missing walk table",
        lambda f: ["protokoll", f.walks, "--all", "-o", f.root / "p", "--walks", f.root / "w.csv"],
    ),
    ("protokoll", "template without output", lambda f: ["protokoll", "mall"]),
    ("protokoll", "template exists", lambda f: ["protokoll", "mall", "-o", f.existing_file]),
    (
        "protokoll",
        "template onto a folder",
        lambda f: ["protokoll", "mall", "-o", f.existing_dir, "--overwrite"],
    ),
    ("protokoll", "template not xlsx", lambda f: ["protokoll", "mall", "-o", f.root / "m.csv"]),
    (
        "protokoll",
        "template with --all",
        lambda f: ["protokoll", "mall", "--all", "-o", f.root / "m.xlsx"],
    ),
    (
        "protokoll",
        "template with --walks",
        lambda f: ["protokoll", "mall", "--walks", f.csv, "-o", f.root / "m.xlsx"],
    ),
    ("utvardera", "no sites", lambda f: ["utvardera", "--remarks", f.routed, "-o", f.root / "u"]),
    (
        "utvardera",
        "missing sites",
        lambda f: ["utvardera", f.root / "nope.gpkg", "--remarks", f.routed, "-o", f.root / "u"],
    ),
    ("utvardera", "no remarks", lambda f: ["utvardera", f.csv, "-o", f.root / "u"]),
    (
        "utvardera",
        "missing remarks",
        lambda f: ["utvardera", f.csv, "--remarks", f.root / "nope.gpkg", "-o", f.root / "u"],
    ),
    ("utvardera", "no output", lambda f: ["utvardera", f.csv, "--remarks", f.routed]),
    (
        "utvardera",
        "output exists",
        lambda f: ["utvardera", f.csv, "--remarks", f.routed, "-o", f.existing_dir],
    ),
    (
        "utvardera",
        "output not written by geomap",
        lambda f: ["utvardera", f.csv, "--remarks", f.routed, "-o", f.existing_dir, "--overwrite"],
    ),
    (
        "utvardera",
        "output holds the input",
        lambda f: ["utvardera", f.csv, "--remarks", f.routed, "-o", f.root, "--overwrite"],
    ),
    (
        "utvardera",
        "nan radius",
        lambda f: [
            "utvardera",
            f.csv,
            "--remarks",
            f.routed,
            "-o",
            f.root / "u",
            "--radius",
            "nan",
        ],
    ),
    (
        "utvardera",
        "zero months before",
        lambda f: ["utvardera", f.csv, "--remarks", f.routed, "-o", f.root / "u", "--before", "0"],
    ),
    (
        "utvardera",
        "bad overlap",
        lambda f: [
            "utvardera",
            f.csv,
            "--remarks",
            f.routed,
            "-o",
            f.root / "u",
            "--overlap",
            "skip",
        ],
    ),
    (
        "utvardera",
        "missing control",
        lambda f: [
            "utvardera",
            f.csv,
            "--remarks",
            f.routed,
            "-o",
            f.root / "u",
            "--control",
            f.root / "nope.gpkg",
        ],
    ),
    ("register", "unknown subcommand", lambda f: ["register", "nope"]),
    (
        "register ingest",
        "no routed",
        lambda f: ["register", "ingest", "--register", f.new_register],
    ),
    ("register ingest", "no register", lambda f: ["register", "ingest", f.routed]),
    (
        "register ingest",
        "missing routed",
        lambda f: ["register", "ingest", f.root / "nope.gpkg", "--register", f.new_register],
    ),
    (
        "register ingest",
        "missing registry",
        lambda f: [
            "register",
            "ingest",
            f.routed,
            "--register",
            f.new_register,
            "--registry",
            f.root / "nope.toml",
        ],
    ),
    ("register lists", "no register", lambda f: ["register", "lists", "-o", f.root / "l"]),
    ("register lists", "no output", lambda f: ["register", "lists", "--register", f.register]),
    (
        "register lists",
        "output exists",
        lambda f: ["register", "lists", "--register", f.register, "-o", f.existing_dir],
    ),
    (
        "register lists",
        "output holds the register",
        lambda f: ["register", "lists", "--register", f.register, "-o", f.root, "--overwrite"],
    ),
    (
        "register lists",
        "missing privacy",
        lambda f: [
            "register",
            "lists",
            "--register",
            f.register,
            "-o",
            f.root / "l",
            "--privacy",
            f.root / "nope.toml",
        ],
    ),
    ("register update", "no list", lambda f: ["register", "update", "--register", f.register]),
    ("register update", "no register", lambda f: ["register", "update", f.csv]),
    (
        "register update",
        "missing list",
        lambda f: ["register", "update", f.root / "nope.xlsx", "--register", f.register],
    ),
    (
        "register reassign",
        "no remark",
        lambda f: ["register", "reassign", "--register", f.register, "--owner", "huge"],
    ),
    (
        "register reassign",
        "no reason",
        lambda f: ["register", "reassign", "huge-000", "--register", f.register, "--owner", "huge"],
    ),
    ("register unlink", "no remark", lambda f: ["register", "unlink", "--register", f.register]),
    ("register unlink", "no register", lambda f: ["register", "unlink", "huge-000"]),
    ("register status", "no register", lambda f: ["register", "status"]),
    (
        "register status",
        "extra argument",
        lambda f: ["register", "status", "huge", "--register", f.register],
    ),
    ("register export", "unknown format", lambda f: ["register", "export", "csv"]),
    (
        "register export open311",
        "no register",
        lambda f: ["register", "export", "open311", "-o", f.root / "e"],
    ),
    (
        "register export open311",
        "no output",
        lambda f: ["register", "export", "open311", "--register", f.register],
    ),
    (
        "register export open311",
        "output exists",
        lambda f: ["register", "export", "open311", "--register", f.register, "-o", f.existing_dir],
    ),
    (
        "register export open311",
        "output holds the register",
        lambda f: [
            "register",
            "export",
            "open311",
            "--register",
            f.register,
            "-o",
            f.root,
            "--overwrite",
        ],
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
    names = {*_python_names(path), *LIBRARY_NAMES}
    used = {n for n in names if re.search(rf"(?<![-/.\w]){n}(?![-/.\w])", text)}
    assert not used, text
    assert (files.existing_dir / "old.txt").read_text(encoding="utf-8") == "old"
    assert files.existing_file.read_text(encoding="utf-8") == "old"
    assert files.csv.exists()
    assert files.routed.exists()
    if files.new_register.exists():
        assert open_register(files.new_register).remarks_frame().shape[0] > 0


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


def _returned_list(files: Files, status: str) -> Path:
    """The CSV list of owner ``huge`` with the status of its first row set to ``status``."""
    result = CliRunner().invoke(
        cli, ["register", "lists", "--register", str(files.register), "-o", str(files.root / "l")]
    )
    assert result.exit_code == 0, result.output
    path = files.root / "l" / "huge.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    cells = lines[1].split(";")
    cells[header.index("Status")] = status
    path.write_text("\n".join([lines[0], ";".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    return path


#: Runs that are no usage errors: the work fails on the data (exit 1), or succeeds (exit 0).
#: Each case: command path, what, arguments, exit code, a text the output must hold.
WORK_CASES: list[tuple[str, str, Case, int, str]] = [
    (
        "lagesbild",
        "a week without remarks",
        lambda f: ["lagesbild", f.routed, "--week", "2025-W10", "-o", f.root / "l"],
        0,
        "lagesbild.xlsx",
    ),
    (
        "protokoll",
        "no safety walks in routed",
        lambda f: ["protokoll", f.routed, "--all", "-o", f.root / "p"],
        1,
        "routed.gpkg: no safety-walk remarks",
    ),
    (
        "protokoll",
        "unknown walk",
        lambda f: ["protokoll", f.walks, "--walk", "TV-9", "-o", f.root / "p"],
        1,
        "--walk: no walk 'TV-9' in the remarks; the walks are TV-1",
    ),
    (
        "protokoll",
        "template into a new folder",
        lambda f: ["protokoll", "mall", "-o", f.root / "ny" / "mapp" / "mall.xlsx"],
        0,
        "mall.xlsx",
    ),
    (
        "register status",
        "missing register",
        lambda f: ["register", "status", "--register", f.new_register],
        1,
        "--register",
    ),
    (
        "register lists",
        "missing register",
        lambda f: ["register", "lists", "--register", f.new_register, "-o", f.root / "l"],
        1,
        "no register there yet",
    ),
    (
        "register update",
        "unknown status",
        lambda f: ["register", "update", _returned_list(f, "klar"), "--register", f.register],
        1,
        "unknown status 'klar'",
    ),
    (
        "register reassign",
        "unknown remark",
        lambda f: [
            "register",
            "reassign",
            "nope-1",
            "--register",
            f.register,
            "--owner",
            "kommun",
            "--reason",
            "fel ägare",
        ],
        1,
        "remark id 'nope-1' is not in the register",
    ),
    (
        "register reassign",
        "unknown owner",
        lambda f: [
            "register",
            "reassign",
            "huge-000",
            "--register",
            f.register,
            "--owner",
            "parkbolaget",
            "--reason",
            "fel ägare",
        ],
        1,
        "--owner 'parkbolaget' is not in",
    ),
]


@pytest.mark.parametrize(
    ("path", "what", "case", "code", "shown"),
    WORK_CASES,
    ids=[f"{p}: {w}" for p, w, *_ in WORK_CASES],
)
def test_work_errors_are_one_line(
    tmp_path: Path, path: str, what: str, case: Case, code: int, shown: str
) -> None:
    files = Files(tmp_path)
    args = [str(a) for a in case(files)]
    result = CliRunner().invoke(cli, args, prog_name="geomap")
    text = result.output  # stdout and stderr
    assert result.exit_code == code, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert shown in text, text
    assert "Traceback" not in text and "`" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("geomap: error:")]
    assert len(errors) == (code == 1), text
    names = {*_python_names(path), *LIBRARY_NAMES}
    assert not {n for n in names if re.search(rf"(?<![-/.\w]){n}(?![-/.\w])", text)}, text
    assert files.existing_file.read_text(encoding="utf-8") == "old"
