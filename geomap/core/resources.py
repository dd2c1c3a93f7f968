"""Where geomap's bundled files live, in a wheel or in a source tree: the one locator.

A wheel carries ``layers/`` as ``geomap/_layers`` and the RegSO GeoPackage as
``geomap/_data/huddinge_regso_2025.gpkg`` (pyproject force-include); a source tree has them at the
repository root (``layers/``, ``data/``). ``geomap/_data/categories.toml`` is package data in both.
Nothing outside the project is read.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from geomap.errors import InputError

__all__ = ["REGSO_FILE", "data_path", "layers_dir", "package_file", "regso_path"]

#: The bundled SCB RegSO 2025 districts of Huddinge (CC0).
REGSO_FILE = "huddinge_regso_2025.gpkg"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def package_file(*parts: str) -> Path | None:
    """Return a file or folder inside the installed ``geomap`` package, or ``None`` if absent.

    Examples
    --------
    >>> package_file("_data", "categories.toml").name
    'categories.toml'
    """
    try:
        candidate = Path(str(resources.files("geomap").joinpath(*parts)))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - geomap is always importable here
        return None
    return candidate if candidate.exists() else None


def layers_dir() -> Path:
    """Return the directory that holds ``vokabular.toml``, ``owners.toml`` and the crosswalks.

    Examples
    --------
    >>> (layers_dir() / "vokabular.toml").is_file()
    True
    """
    return package_file("_layers") or _REPO_ROOT / "layers"


def data_path(name: str) -> Path | None:
    """Return the bundled data file ``name`` (e.g. ``owners_synthetic.gpkg``) or ``None`` if absent.

    The installed package's ``_data`` folder is searched first, then the source tree's ``data/``.

    Examples
    --------
    >>> data_path("no_such_file.gpkg") is None
    True
    >>> data_path(REGSO_FILE).name
    'huddinge_regso_2025.gpkg'
    """
    for base in (package_file("_data"), _REPO_ROOT / "data"):
        if base is not None and (base / name).is_file():
            return base / name
    return None


def regso_path() -> Path:
    """Return the bundled RegSO 2025 GeoPackage of Huddinge.

    Raises
    ------
    InputError
        If the file is neither package data nor in the source tree (a broken install).

    Examples
    --------
    >>> regso_path().name
    'huddinge_regso_2025.gpkg'
    """
    found = data_path(REGSO_FILE)
    if found is None:
        msg = (
            f"{REGSO_FILE} is neither package data (geomap/_data) nor in {_REPO_ROOT / 'data'}; "
            "reinstall geomap or pass a district file"
        )
        raise InputError(msg)
    return found
