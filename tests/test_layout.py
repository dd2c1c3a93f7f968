"""Rules of the layout that no linter checks: function size, one definition per concept."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geomap"
MAX_LINES = 60


def _functions(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function; the docstring does not count."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                doc = body[0]
                length -= doc.end_lineno - doc.lineno + 1  # type: ignore[operator]
            out.append((node.name, node.lineno, length))
    return out


def _library_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "demo" not in p.relative_to(PACKAGE).parts)


def test_no_function_over_60_lines_outside_demo() -> None:
    long = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {name} ({length} lines)"
        for path in _library_files()
        for name, line, length in _functions(path)
        if length > MAX_LINES
    ]
    assert not long, "functions over 60 lines (without docstring): " + "; ".join(long)


def test_the_counter_sees_long_functions(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (tmp_path / "m.py").write_text(f'def f():\n    """Doc."""\n{body}\n', encoding="utf-8")
    assert _functions(tmp_path / "m.py") == [("f", 1, 62)]


# Each concept, and the pattern of its one definition in geomap/.
CONCEPTS = {
    "working CRS": r"^WORKING_CRS\s*=",
    "owner-layer reader": r"^def load_owner_layer\(",
    "district reader": r"^def read_districts\(",
    "bundled-file locator": r"^def data_path\(",
    "RegSO locator": r"^def regso_path\(",
    "palette": r"^PALETTE\b.*=",
    "Morton encoder": r"^def morton_codes\(",
    "Swedish CSV writer": r"^def write_csv\(",
    "Swedish XLSX writer": r"^def write_xlsx\(",
    "owner file-name function": r"^def owner_file_stem\(",
    "Leaflet assets": r"^def leaflet_head\(",
}


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_one_definition(concept: str) -> None:
    pattern = re.compile(CONCEPTS[concept], re.MULTILINE)
    found = [
        str(p.relative_to(PACKAGE.parent))
        for p in sorted(PACKAGE.rglob("*.py"))
        for _ in pattern.finditer(p.read_text(encoding="utf-8"))
    ]
    assert len(found) == 1, f"{concept}: defined in {found}"


def test_no_other_morton_or_csv_writer() -> None:
    """No module spreads bits for Z-order or writes ';' CSV itself besides the one place."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(PACKAGE.parent))
        if "0x55555555" in text and rel != "geomap/core/spatial.py":
            offenders.append(rel)
        if re.search(r"""sep=";"|delimiter=";\"""", text) and rel not in {
            "geomap/io/sheets.py",
            "geomap/demo/write.py",  # writes the synthetic *input* files the readers are tested on
        }:
            offenders.append(rel)
    assert not offenders


def test_library_does_not_import_the_package_root() -> None:
    offenders = [
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("*.py")
        if p.name != "__main__.py"
        and re.search(r"^\s*from geomap import ", p.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert not offenders
