"""Where the maintenance vocabulary and the default demo data live, in a wheel or a source tree.

A wheel carries ``layers/`` as ``geomap/_layers`` (pyproject force-include) and data as
``geomap/_data``; a source tree has them at the repository root. Nothing outside the project
is read.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["data_path", "layers_dir"]

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _packaged(name: str) -> Path | None:
    try:
        candidate = Path(str(resources.files("geomap").joinpath(name)))
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
    return _packaged("_layers") or _REPO_ROOT / "layers"


def data_path(name: str) -> Path | None:
    """Return the bundled data file ``name`` (e.g. ``owners_synthetic.gpkg``) or ``None`` if absent.

    Examples
    --------
    >>> data_path("no_such_file.gpkg") is None
    True
    """
    packaged = _packaged("_data")
    for base in (packaged, _REPO_ROOT / "data"):
        if base is not None and (base / name).is_file():
            return base / name
    return None
