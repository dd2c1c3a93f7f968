"""Tests for ``geomap protokoll``: protocols per walk and owner, the template, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from geomap.cli import cli

from tests.protocols.helpers import routed_walks


@pytest.fixture
def routed(tmp_path: Path) -> Path:
    return routed_walks(["kommun", "huge"], walk_ids=["A", "B"]).write(tmp_path / "routed.gpkg")


def _run(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_all_walks_html(routed: Path, tmp_path: Path) -> None:
    out = tmp_path / "protokoll"
    result = _run("protokoll", routed, "--all", "-o", out, "--format", "html")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("*.html"))
    assert len(names) == 4 and any(n.endswith("_huge.html") for n in names)
    again = _run("protokoll", routed, "--all", "-o", out, "--format", "html")
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_one_walk_without_owner_protocols(routed: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = _run("protokoll", routed, "--walk", "B", "--no-owners", "-o", out, "--format", "html",
                  "--follow-up-months", "3")  # fmt: skip
    assert result.exit_code == 0, result.output
    (page,) = out.glob("*.html")
    assert page.name.startswith("protokoll_B-") and "23 juli 2025" in page.read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        ((), 2, "give --walk ID (repeatable) or --all"),
        (("--all", "--walk", "A"), 2, "not both"),
        (("--walk", "Q"), 1, "--walk: no walk 'Q' in the remarks; the walks are A, B"),
        (("--all", "--follow-up-months", "99"), 2, "--follow-up-months"),
    ],
)
def test_usage_and_input_errors(
    routed: Path, tmp_path: Path, args: tuple, code: int, words: str
) -> None:
    result = _run("protokoll", routed, *args, "-o", tmp_path / "x")
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_register_that_does_not_exist(routed: Path, tmp_path: Path) -> None:
    result = _run(
        "protokoll", routed, "--all", "--register", tmp_path / "r.gpkg", "-o", tmp_path / "x"
    )
    assert (
        result.exit_code == 1
        and "--register" in result.output
        and "no register there yet" in result.output
    )
    assert not (tmp_path / "x").exists()


def test_missing_routed(tmp_path: Path) -> None:
    result = _run("protokoll", tmp_path / "nope.gpkg", "--all", "-o", tmp_path / "x")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_template(tmp_path: Path) -> None:
    path = tmp_path / "mall.xlsx"
    result = _run("protokoll", "mall", "-o", path)
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames[0] == "Anmärkningar"
    assert _run("protokoll", "mall", "-o", path).exit_code == 2
    assert _run("protokoll", "mall", "-o", path, "--overwrite").exit_code == 0
    assert _run("protokoll", "mall", "--all", "-o", path).exit_code == 2


def test_a_file_named_mall_is_dot_slash_mall(
    routed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mall").write_bytes(routed.read_bytes())
    result = _run(
        "protokoll", "./mall", "--walk", "A", "--no-owners", "--format", "html", "-o", "ut"
    )
    assert result.exit_code == 0, result.output
    assert len(list(Path("ut").glob("protokoll_A-*.html"))) == 1
