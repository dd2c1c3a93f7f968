"""One test per hostile input of the corpus (tests/hostile/corpus.py).

Each test builds the case's inputs, runs ``geomap route`` through click's test runner and checks
the outcome the corpus expects. Whatever the case, the output never holds a traceback and the
exit code is 0, 1 or 2; an exit 0 writes every input row exactly once.
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import pytest
import shapely
from click.testing import CliRunner

from geomap.cli import cli

from tests.hostile.corpus import CASES, Case, Ctx, Error, Ok, OneOf, Run, Setup

METHODS = {"category_rule", "responsibility", "ownership", "nearest", "unrouted"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = Ctx(tmp_path)
    setup = case.build(ctx)
    owners = setup.owners or (None if setup.no_owners else ctx.owners())
    out = setup.out if setup.out is not None else tmp_path / "out"
    args = ["route", *(str(p) for p in setup.inputs)]
    if owners is not None:
        args += ["--owners", str(owners)]
    args += ["-o", str(out)]
    if not setup.maps:
        args.append("--no-map")
    if not setup.xlsx:
        args.append("--no-xlsx")
    args += [str(a) for a in setup.args]
    absolute = (setup.cwd / out) if setup.cwd is not None and not out.is_absolute() else out
    guarded = _snapshot(tmp_path, absolute, setup)
    existed = absolute.exists() or absolute.is_symlink()
    if setup.cwd is not None:
        monkeypatch.chdir(setup.cwd)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        monkeypatch.undo()
        if setup.after is not None:
            setup.after()
    run = Run(
        code=result.exit_code,
        output=result.output,
        stderr=result.stderr,
        out=absolute,
        rows=setup.rows,
        exception=None if isinstance(result.exception, SystemExit) else result.exception,
    )
    _always(case, run)
    _expect(case, case.expect, run, setup, existed=existed)
    _unchanged(guarded)


# --------------------------------------------------------------------------------------------


def _got(run: Run) -> str:
    """Exit code and the first telling line of the output, for failure messages."""
    if run.exception is not None:
        text = str(run.exception).strip().splitlines()
        return f"exit {run.code}: {type(run.exception).__name__}: {text[0][:160] if text else ''}"
    lines = [line for line in run.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("geomap: error:", "Error:"))]
    others = [line for line in lines if not line.startswith("geomap: WARNING:")]
    first = (errors or others or lines or [""])[0]
    return f"exit {run.code}: {first[:200]}"


def _fail(case: Case, run: Run, why: str) -> None:
    pytest.fail(f"expected {case.expect.describe()[:160]}; got {_got(run)} — {why}", pytrace=False)


def _always(case: Case, run: Run) -> None:
    if run.exception is not None or "Traceback" in run.output:
        _fail(case, run, "a traceback / unhandled exception")
    if run.code not in (0, 1, 2):
        _fail(case, run, f"exit code {run.code}")


def _expect(
    case: Case, expect: Ok | Error | OneOf, run: Run, setup: Setup, *, existed: bool
) -> None:
    options = expect.options if isinstance(expect, OneOf) else (expect,)
    problems = []
    for option in options:
        try:
            if isinstance(option, Ok):
                _check_ok(option, run, setup)
            else:
                _check_error(option, run, existed=existed)
        except AssertionError as exc:
            problems.append(str(exc).splitlines()[0] if str(exc) else "assertion failed")
            continue
        return
    _fail(case, run, " | ".join(problems))


def _check_ok(expect: Ok, run: Run, setup: Setup) -> None:
    assert run.code == 0, f"exit {run.code}, not 0"
    assert setup.rows is not None, "the case does not say how many remarks its inputs hold"
    assert (run.out / "routed.gpkg").is_file(), "no routed.gpkg"
    remarks = run.remarks
    assert len(remarks) == setup.rows, f"{setup.rows} rows in, {len(remarks)} remarks out"
    where = remarks[["source_file", "source_row"]].astype(str).agg(":".join, axis=1)
    assert where.is_unique, f"rows written twice: {where[where.duplicated()].tolist()[:3]}"
    ids = remarks["remark_id"]
    assert ids.notna().all(), "remarks without remark_id"
    assert ids.is_unique, f"remark ids repeat: {ids[ids.duplicated()].tolist()[:3]}"
    _check_points(remarks)
    methods = set(remarks["route_method"].dropna())
    assert methods <= METHODS, f"route methods {methods - METHODS}"
    unrouted = remarks["route_method"] == "unrouted"
    assert (remarks["owner"].isna() == unrouted).all(), "owner missing exactly when unrouted: no"
    assert int(run.summary.get("total", -1)) == setup.rows, (
        f"summary total {run.summary.get('total')}"
    )
    if "--no-lists" not in setup.args:
        _check_lists(run, setup)
    _no_partial_dirs(run.out)
    for check in expect.checks:
        check(run)
    _one_line_messages(run)


def _check_points(remarks: object) -> None:
    geoms = remarks.geometry.to_numpy()  # type: ignore[attr-defined]
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = set(shapely.get_type_id(geoms[present]).tolist())
    assert kinds <= {0}, f"geometry types {kinds} (only Point allowed)"
    assert not shapely.has_z(geoms[present]).any(), "3D points written (Point Z)"
    xy = shapely.get_coordinates(geoms[present])
    assert all(math.isfinite(v) for v in xy.ravel().tolist()), "Infinity/NaN coordinates written"


def _check_lists(run: Run, setup: Setup) -> None:
    csvs = run.all_list_csvs()
    total = sum(len(run.list_cells(p)) - 1 for p in csvs)
    assert total == setup.rows, f"the lists hold {total} rows, not {setup.rows}"
    if setup.xlsx:
        from openpyxl import load_workbook

        for path in run.all_xlsx():
            load_workbook(path, read_only=True).close()


def _check_error(expect: Error, run: Run, *, existed: bool) -> None:
    assert run.code in expect.codes, f"exit {run.code}, not {'/'.join(map(str, expect.codes))}"
    lines = [
        line for line in run.output.splitlines() if line.startswith(("geomap: error:", "Error:"))
    ]
    assert len(lines) == 1, f"{len(lines)} error lines, not one"
    assert re.search(expect.pattern, lines[0], re.IGNORECASE), (
        f"the error does not match {expect.pattern!r}: {lines[0][:200]}"
    )
    if not existed:
        assert not (run.out.exists() or run.out.is_symlink()), f"{run.out} was created anyway"
    _no_partial_dirs(run.out)
    if run.code == 1:
        _one_line_messages(run)


def _no_partial_dirs(out: Path) -> None:
    parent = out.absolute().parent
    name = out.absolute().name
    if name in ("", ".") or not parent.is_dir():
        return
    left = [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")]
    assert not left, f"partial output folders left beside {name}: {left}"


def _one_line_messages(run: Run) -> None:
    """Every line on stderr is one geomap message (warnings and errors come one line each)."""
    stray = [
        line for line in run.stderr.splitlines() if line.strip() and not line.startswith("geomap: ")
    ]
    assert not stray, f"stderr lines that are not geomap messages: {stray[0][:120]!r}"


def _snapshot(tmp: Path, out: Path, setup: Setup) -> dict[Path, str]:
    """Hashes of the case's files outside OUTDIR and of those it must keep."""
    skip = {out.absolute()}
    if out.exists():
        skip.add(out.resolve())
    files = [
        p
        for p in tmp.rglob("*")
        if p.is_file() and not p.is_symlink() and not any(s in p.parents or p == s for s in skip)
    ]
    return {p: _hash(p) for p in [*files, *setup.keep]}


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unchanged(guarded: dict[Path, str]) -> None:
    for path, digest in guarded.items():
        assert path.is_file(), f"{path.name} was deleted by the run"
        assert _hash(path) == digest, f"{path.name} was changed by the run"
