"""Output folders that never destroy: inputs, foreign folders and OS errors, in the API and the CLI.

Each test here failed on the old ``atomic_dir`` (which replaced whatever OUTDIR was, inputs and all,
and let OS errors escape as tracebacks).
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import geomap.io.atomic as atomic
import geomap.routing.outputs as outputs
import geomap.routing.stream as stream
from geomap.cli import cli
from geomap.errors import GeomapError, OutputExistsError
from geomap.io.atomic import MARKER_NAME, check_output_dir
from geomap.routing import route
from geomap.routing.outputs import write_outputs
from geomap.routing.pipeline import RouteResult


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def error_line(stderr: str) -> str:
    """The one line that says what went wrong (usage errors come after click's usage lines)."""
    lines = [line for line in stderr.splitlines() if line.startswith(("Error:", "geomap: error:"))]
    assert len(lines) == 1, stderr
    return lines[0]


# --- the API: check_output_dir -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outdir", "relation"),
    [("data", "contains"), (".", "contains"), ("data/sub", "contains"), ("data/sub/in.csv", "is")],
)
def test_outdir_that_is_or_holds_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outdir: str, relation: str
) -> None:
    source = tmp_path / "data" / "sub" / "in.csv"
    source.parent.mkdir(parents=True)
    source.write_text("x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        OutputExistsError,
        match=rf"the output folder {outdir}.* {relation} the input .*in\.csv; writing the outputs there would delete it\. Write them to a new folder",
    ):
        check_output_dir(outdir, overwrite=True, kind="route", protect=[source])
    assert source.read_text() == "x"


def test_input_reached_through_a_symlink_is_protected(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "in.csv").write_text("x")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(OutputExistsError, match=r"link \(link to .*real\) contains the input"):
        check_output_dir(tmp_path / "link", overwrite=True, protect=[real / "in.csv"])
    with pytest.raises(OutputExistsError, match=r"real contains the input .*link/in\.csv"):
        check_output_dir(real, overwrite=True, protect=[tmp_path / "link" / "in.csv"])


def test_only_geomap_folders_are_replaced(tmp_path: Path) -> None:
    foreign = tmp_path / "mina_filer"
    foreign.mkdir()
    (foreign / "viktigt.docx").write_text("x")
    with pytest.raises(
        OutputExistsError,
        match=r"mina_filer already exists and was not written by geomap \(it has no \.geomap-output file\), so it is not replaced even with `overwrite`; choose a new folder, or pass `replace_foreign`",
    ):
        check_output_dir(foreign, overwrite=True, kind="route")
    assert check_output_dir(foreign, overwrite=True, kind="route", replace_foreign=True) == foreign
    empty = tmp_path / "tom"
    empty.mkdir()
    assert check_output_dir(empty, overwrite=True, kind="route") == empty
    with pytest.raises(OutputExistsError, match=r"tom already exists; pass `overwrite`"):
        check_output_dir(empty, overwrite=False, kind="route")
    (foreign / MARKER_NAME).write_text("not json")
    with pytest.raises(OutputExistsError, match="not written by geomap"):
        check_output_dir(foreign, overwrite=True, kind="route")


def test_paths_that_cannot_be_an_output_folder(tmp_path: Path) -> None:
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x")
    with pytest.raises(
        OutputExistsError,
        match=r"cannot create the output folder .*fil\.txt/out/x: .*fil\.txt is a file, not a folder; choose an output path inside a folder",
    ):
        check_output_dir(a_file / "out" / "x", overwrite=True)
    with pytest.raises(
        OutputExistsError, match=r"fil\.txt is a file, not a folder; choose a folder"
    ):
        check_output_dir(a_file, overwrite=True)
    (tmp_path / "dangling").symlink_to(tmp_path / "borta")
    with pytest.raises(
        OutputExistsError,
        match=r"dangling is a symbolic link to .*borta, which does not exist; create that folder or remove the link",
    ):
        check_output_dir(tmp_path / "dangling", overwrite=True)
    with pytest.raises(OutputExistsError, match=r"/ is the root folder; choose a folder below it"):
        check_output_dir("/", overwrite=True)


def test_read_only_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.os, "access", lambda *a, **k: False)  # tests may run as root
    with pytest.raises(
        GeomapError,
        match=r"cannot create the output folder .*out: .*: Permission denied; choose a folder you may write to",
    ):
        check_output_dir(tmp_path / "ro" / "out", overwrite=False)


def test_permission_denied_when_writing_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(path: object, *args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(atomic.os, "open", denied)
    with (
        pytest.raises(
            GeomapError,
            match=r"cannot write the output folder .*out: .*\.out\.lock: Permission denied; choose a folder you may write to",
        ),
        atomic.atomic_dir(tmp_path / "out"),
    ):
        pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_read_only_parent_for_real(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir(mode=0o555)
    try:
        with pytest.raises(GeomapError, match="Permission denied"):
            check_output_dir(parent / "out", overwrite=False)
    finally:
        parent.chmod(0o755)


# --- the API: write_outputs ----------------------------------------------------------------------


@pytest.fixture
def routed(remarks_csv: Path, owners_gpkg: Path) -> RouteResult:
    return route(remarks_csv, owners=owners_gpkg)


def test_write_outputs_protects_the_remark_files_of_the_result(
    tmp_path: Path, routed: RouteResult, remarks_csv: Path
) -> None:
    (tmp_path / "annat.txt").write_text("x")
    with pytest.raises(OutputExistsError, match=r"contains the input .*lagesbild\.csv"):
        write_outputs(routed, tmp_path, overwrite=True, replace_foreign=True)
    assert remarks_csv.exists() and (tmp_path / "annat.txt").exists()


def test_write_outputs_protects_the_given_inputs(tmp_path: Path, routed: RouteResult) -> None:
    out = tmp_path / "out"
    write_outputs(routed, out)
    owners_copy = out / "owners_kopia.gpkg"
    owners_copy.write_text("x")
    with pytest.raises(OutputExistsError, match=r"contains the input .*owners_kopia\.gpkg"):
        write_outputs(routed, out, overwrite=True, inputs=[owners_copy])
    assert owners_copy.exists()


def test_write_outputs_marks_and_replaces_only_its_own_folder(
    tmp_path: Path, routed: RouteResult
) -> None:
    out = tmp_path / "out"
    write_outputs(routed, out)
    assert (out / MARKER_NAME).is_file()
    write_outputs(routed, out, overwrite=True)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "x.txt").write_text("x")
    with pytest.raises(OutputExistsError, match="not written by geomap"):
        write_outputs(routed, foreign, overwrite=True)
    assert (foreign / "x.txt").exists()
    write_outputs(routed, foreign, overwrite=True, replace_foreign=True)
    assert not (foreign / "x.txt").exists() and (foreign / MARKER_NAME).exists()


def test_write_outputs_disk_full(
    tmp_path: Path, routed: RouteResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_outputs(routed, out)
    before = sorted(p.name for p in out.rglob("*"))

    def full(result: object, path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(outputs, "write_routed_gpkg", full)
    with pytest.raises(
        GeomapError, match=r"routed\.gpkg: No space left on device; free space on that disk"
    ):
        write_outputs(routed, out, overwrite=True)
    assert sorted(p.name for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out", "lagesbild.csv", "owners.gpkg"]
    )


# --- the CLI -------------------------------------------------------------------------------------


def test_cli_refuses_the_input_folder_and_keeps_everything(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    (tmp_path / "annat.txt").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path, "--overwrite", "--no-map"
    )
    assert code == 2
    line = error_line(stderr)
    assert f"the output folder {tmp_path} contains the input {remarks_csv}" in line
    assert "Write them to a new folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_refuses_dot_when_an_input_is_below_it(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stderr = run(
        "route", "lagesbild.csv", "--owners", owners_gpkg, "-o", ".", "--overwrite", "--no-map"
    )
    assert code == 2
    assert f"the output folder . ({tmp_path}) contains the input lagesbild.csv" in error_line(
        stderr
    )
    assert remarks_csv.exists()


def test_cli_dot_without_inputs_below_it_is_a_plain_usage_error(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old code crashed with a traceback on ``-o .`` (a path without a name)."""
    work = tmp_path / "arbete"
    work.mkdir()
    monkeypatch.chdir(work)
    code, stderr = run("route", remarks_csv, "--owners", owners_gpkg, "-o", ".", "--no-map")
    assert code == 2
    assert "already exists; pass --overwrite" in error_line(stderr)
    code, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", ".", "--overwrite", "--no-map"
    )
    # Replacing the folder the shell is in would leave it in a deleted folder that looks empty.
    assert code == 2
    assert "is the current folder" in error_line(stderr)
    assert not (work / "routed.gpkg").exists()


@pytest.mark.parametrize("option", ["--owners", "--registry", "--rules"])
def test_cli_protects_owner_registry_and_rules_files(
    tmp_path: Path,
    remarks_csv: Path,
    owners_gpkg: Path,
    registry_toml: Path,
    rules_toml: Path,
    option: str,
) -> None:
    out = tmp_path / "out"
    assert run("route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map")[0] == 0
    source = {"--owners": owners_gpkg, "--registry": registry_toml, "--rules": rules_toml}[option]
    moved = out / source.name
    source.rename(moved)
    files = {"--owners": owners_gpkg, "--registry": registry_toml, "--rules": rules_toml}
    files[option] = moved
    args = [a for opt, path in files.items() for a in (opt, path)]
    code, stderr = run("route", remarks_csv, *args, "-o", out, "--overwrite", "--no-map")
    assert code == 2
    assert f"contains the input {moved}" in error_line(stderr)
    assert moved.exists()


def test_cli_refuses_a_foreign_folder_unless_told(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    foreign = tmp_path / "dokument"
    foreign.mkdir()
    (foreign / "budget.xlsx").write_text("x")
    args = ("route", remarks_csv, "--owners", owners_gpkg, "-o", foreign, "--no-map", "--overwrite")
    code, stderr = run(*args)
    assert code == 2
    line = error_line(stderr)
    assert "was not written by geomap" in line and "--replace-non-geomap-dir" in line
    assert "--overwrite" in line and "`" not in line
    assert (foreign / "budget.xlsx").exists()
    code, stderr = run(*args, "--replace-non-geomap-dir")
    assert code == 0, stderr
    assert not (foreign / "budget.xlsx").exists()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda d: (d / "fil").write_text("x") and d / "fil" / "out",
            "fil is a file, not a folder",
        ),
        (lambda d: (d / "fil").write_text("x") and d / "fil", "is a file"),
        (
            lambda d: (d / "link").symlink_to(d / "borta") or d / "link",
            "symbolic link to",
        ),
    ],
    ids=["parent-is-a-file", "outdir-is-a-file", "dangling-symlink"],
)
def test_cli_bad_output_paths_are_one_line_usage_errors(
    tmp_path: Path,
    remarks_csv: Path,
    owners_gpkg: Path,
    make: Callable[[Path], Path],
    expected: str,
) -> None:
    out = make(tmp_path)
    code, stderr = run("route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map")
    assert code == 2
    assert expected in error_line(stderr)


def test_cli_permission_denied_is_one_line(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(path: object, *args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(atomic.os, "open", denied)
    code, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "out", "--no-map"
    )
    assert code == 1
    assert stderr.startswith("geomap: error: cannot write the output folder ")
    assert "Permission denied; choose a folder you may write to" in stderr
    assert stderr.count("\n") == 1


def test_cli_disk_full_is_one_line_and_keeps_previous(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run("route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map")[0] == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(tables: object, gpkg: Path, *args: object, **kw: object) -> None:  # remarks write
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(gpkg))

    monkeypatch.setattr(stream, "_pump", full)
    code, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map", "--overwrite"
    )
    assert code == 1
    line = error_line(stderr)
    assert "No space left on device; free space" in line and line.endswith("out was left as it was")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_cli_stray_os_error_is_one_line(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError outside the output folder's guard still gives one line, not a traceback."""

    def broken(*args: object, **kwargs: object) -> None:  # opening the run: before the guard
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(owners_gpkg))

    monkeypatch.setattr(stream, "open_run", broken)
    code, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "out", "--no-map"
    )
    assert code == 1
    assert (
        stderr
        == f"geomap: error: {owners_gpkg}: Input/output error; check the path and that its disk is available\n"
    )


def test_cli_symlinked_outdir_stays_a_link(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    target = tmp_path / "körningar" / "v47"
    args = ("route", remarks_csv, "--owners", owners_gpkg, "--no-map")
    assert run(*args, "-o", target)[0] == 0
    link = tmp_path / "senaste"
    link.symlink_to(target, target_is_directory=True)
    code, stderr = run(*args, "-o", link, "--overwrite")
    assert code == 0, stderr
    assert link.is_symlink() and link.resolve() == target
    assert (target / "routed.gpkg").exists()


def test_cli_locked_outdir_is_a_usage_error(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    fd = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, b"31337\n")
    try:
        code, stderr = run(
            "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "out", "--no-map"
        )
    finally:
        os.close(fd)
    assert code == 2
    assert (
        "out is being written by another geomap run (pid 31337); wait for it or choose another folder"
        in error_line(stderr)
    )
    assert not (tmp_path / "out").exists()


# --- a long OUTDIR name (issue 9) ----------------------------------------------------------------


def test_write_outputs_into_a_folder_named_with_250_characters(
    tmp_path: Path, routed: RouteResult
) -> None:
    out = tmp_path / "ut" / ("v" * 250)
    write_outputs(routed, out)
    write_outputs(routed, out, overwrite=True)
    assert (out / MARKER_NAME).is_file() and (out / "routed.gpkg").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_cli_writes_a_folder_named_with_245_bytes_of_diacritics(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    out = tmp_path / ("vecka 47 Östra Flemingsberg " * 9)[:140]  # 140 characters, 145 bytes
    out = out.with_name(out.name + "å" * 50)  # 245 bytes in all
    for extra in ([], ["--overwrite"]):
        code, stderr = run(
            "route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map", *extra
        )
        assert code == 0, stderr
    assert (out / "routed.gpkg").is_file()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- the lists' XLSX say what they cut (issue 9) ---------------------------------------------


def test_owner_xlsx_names_its_cut_and_cleaned_cells(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, caplog: pytest.LogCaptureFixture
) -> None:
    long = "början " + "b" * 40_000
    text = remarks_csv.read_bytes().decode("utf-8-sig")
    text = text.replace("tags på vägg", long).replace("krossad ruta", "krossad\x0bruta")
    source = tmp_path / "lang.csv"
    source.write_bytes(text.encode("utf-8-sig"))
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="geomap"):
        write_outputs(route(source, owners=owners_gpkg, crs="EPSG:3011"), out)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    kommun = (
        "owners/kommun.xlsx: 1 cell longer than 32,767 characters (what an Excel cell holds) was "
        "cut in sheet 'Anmärkningar' (column Beskrivning, row 2); the full text is in "
        "routed.gpkg and owners/kommun.csv"
    )
    huge = (
        "owners/huge.xlsx: 1 cell in sheet 'Anmärkningar' had control characters removed, which "
        "XLSX cannot hold (column Beskrivning, row 2); the original text is in routed.gpkg and "
        "owners/huge.csv"
    )
    assert kommun in warnings and huge in warnings
    assert not [w for w in warnings if "geomap-tmp" in w]  # never the temporary folder's name
    assert len((out / "owners" / "kommun.csv").read_text(encoding="utf-8-sig")) > 40_000
