"""Leaflet and its plugins for geomap's HTML maps: inlined, shared in a folder, or from a CDN.

The JavaScript and CSS come from the pip packages ``xstatic-leaflet`` (Leaflet 1.9.3, BSD-2-Clause)
and ``xstatic-leaflet-markercluster`` (Leaflet.markercluster 1.4.1, MIT); nothing is copied into the
repository. By default everything is inlined so that a map opens by double-click with no network;
``assets="assets/"`` links one shared copy written by :func:`write_assets` next to many maps
(offline too: relative paths); ``cdn=True`` links the same versions on unpkg.com instead (smaller
file, needs the network).
"""

from __future__ import annotations

import base64
import functools
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ASSETS", "Asset", "asset_files", "asset_notice", "leaflet_head", "write_assets"]


@dataclass(frozen=True)
class Asset:
    """A front-end library geomap ships inside its maps.

    Attributes
    ----------
    name : str
        Library name as its authors spell it.
    version : str
        Upstream version of the packaged files.
    licence : str
        SPDX identifier of the library's licence.
    pip_package : str
        The pip distribution that carries the files.
    homepage : str
        Upstream home page.
    """

    name: str
    version: str
    licence: str
    pip_package: str
    homepage: str


ASSETS: dict[str, Asset] = {
    "leaflet": Asset(
        "Leaflet", "1.9.3", "BSD-2-Clause", "xstatic-leaflet", "https://leafletjs.com/"
    ),
    "markercluster": Asset(
        "Leaflet.markercluster",
        "1.4.1",
        "MIT",
        "xstatic-leaflet-markercluster",
        "https://github.com/Leaflet/Leaflet.markercluster",
    ),
}

# (kind, file name inside the xstatic data dir, CDN URL, subresource-integrity hash or "")
_LEAFLET_FILES: tuple[tuple[str, str, str, str], ...] = (
    (
        "css",
        "leaflet.css",
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.css",
        "sha256-kLaT2GOSpHechhsozzB+flnD+zUyjE2LlfWPgU04xyI=",
    ),
    (
        "js",
        "leaflet.js",
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js",
        "sha256-WBkoXOwTeyKclOHuWtc+i2uENFpDZ9YPdf5Hf+D7ewM=",
    ),
)
_PLUGIN_FILES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "markercluster": (
        (
            "css",
            "MarkerCluster.css",
            "https://unpkg.com/leaflet.markercluster@1.4.1/dist/MarkerCluster.css",
            "",
        ),
        (
            "css",
            "MarkerCluster.Default.css",
            "https://unpkg.com/leaflet.markercluster@1.4.1/dist/MarkerCluster.Default.css",
            "",
        ),
        (
            "js",
            "leaflet.markercluster.js",
            "https://unpkg.com/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js",
            "",
        ),
    ),
}

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+\.png)\1\)")
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)


def _data_dir(package: str) -> Path:
    if package == "leaflet":
        import xstatic.pkg.leaflet as pkg
    elif package == "markercluster":
        import xstatic.pkg.leaflet_markercluster as pkg
    else:  # pragma: no cover - guarded by leaflet_head
        raise KeyError(package)
    return Path(pkg.BASE_DIR)


def _inline_images(css: str, base: Path) -> str:
    def _repl(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(2)).read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{data}")'

    return _CSS_URL.sub(_repl, css)


@functools.lru_cache(maxsize=8)
def _file_text(package: str, kind: str, name: str) -> str:
    """Return a library file as geomap ships it: no source map, CSS images as data URLs."""
    base = _data_dir(package)
    text = _SOURCE_MAP.sub("", (base / name).read_text(encoding="utf-8"))
    return _inline_images(text, base) if kind == "css" else text


@functools.lru_cache(maxsize=8)
def _inline_file(package: str, kind: str, name: str) -> str:
    text = _file_text(package, kind, name)
    if kind == "css":
        return "<style>\n" + _STYLE_END.sub(r"<\\/\1", text) + "\n</style>"
    return "<script>\n" + _SCRIPT_END.sub(r"<\\/\1", text) + "\n</script>"


def _shared_name(package: str, name: str) -> str:
    """Return the file name of a library file in a shared folder, with its version."""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}-{ASSETS[package].version}.{suffix}"


def _files(plugins: Sequence[str]) -> list[tuple[str, tuple[str, str, str, str]]]:
    """Return (package, file entry) of Leaflet and the plugins, CSS first, then scripts."""
    unknown = [p for p in plugins if p not in _PLUGIN_FILES]
    if unknown:
        msg = (
            f"leaflet_head(plugins=...): unknown plugin(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(_PLUGIN_FILES))}"
        )
        raise ValueError(msg)
    files: list[tuple[str, tuple[str, str, str, str]]] = [("leaflet", f) for f in _LEAFLET_FILES]
    for plugin in dict.fromkeys(plugins):
        files.extend((plugin, f) for f in _PLUGIN_FILES[plugin])
    return sorted(files, key=lambda f: f[1][0] != "css")


def asset_files(plugins: Sequence[str] = ("markercluster",)) -> dict[str, str]:
    """Return the shared library files (file name → text) that :func:`write_assets` writes.

    Examples
    --------
    >>> sorted(asset_files(()))
    ['leaflet-1.9.3.css', 'leaflet-1.9.3.js']
    """
    return {
        _shared_name(package, name): _file_text(package, kind, name)
        for package, (kind, name, _, _) in _files(plugins)
    }


def write_assets(
    directory: str | os.PathLike[str], *, plugins: Sequence[str] = ("markercluster",)
) -> list[Path]:
    """Write one shared copy of Leaflet and the plugins into ``directory`` (made if missing).

    Pages made with ``leaflet_head(assets=...)`` pointing at this folder load them from there,
    so many maps in one folder share one copy (offline too). Files already there with the same
    content are left alone.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder, e.g. ``owners/assets``.
    plugins : sequence of str, default ("markercluster",)
        As in :func:`leaflet_head`.

    Returns
    -------
    list of pathlib.Path
        The files, in loading order.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_assets(tempfile.mkdtemp(), plugins=())]
    ['leaflet-1.9.3.css', 'leaflet-1.9.3.js']
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in asset_files(plugins).items():
        path = folder / name
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def _cdn_tag(kind: str, url: str, integrity: str) -> str:
    sri = f' integrity="{integrity}" crossorigin=""' if integrity else ""
    if kind == "css":
        return f'<link rel="stylesheet" href="{html.escape(url)}"{sri}>'
    return f'<script src="{html.escape(url)}"{sri}></script>'


def asset_notice(plugins: Sequence[str] = ("markercluster",)) -> str:
    """Return an HTML comment naming the bundled libraries, their versions, licences and packages.

    Examples
    --------
    >>> "Leaflet 1.9.3 (BSD-2-Clause" in asset_notice(())
    True
    """
    lines = [
        f"  {a.name} {a.version} ({a.licence}, {a.homepage}), via pip package {a.pip_package}"
        for key, a in ASSETS.items()
        if key == "leaflet" or key in plugins
    ]
    return "<!-- Third-party libraries in this file:\n" + "\n".join(lines) + "\n-->"


def leaflet_head(
    *,
    cdn: bool = False,
    plugins: Sequence[str] = ("markercluster",),
    assets: str | None = None,
) -> str:
    """Return the ``<style>``/``<script>`` (or ``<link>``) HTML that loads Leaflet and plugins.

    Parameters
    ----------
    cdn : bool, default False
        Link the files on unpkg.com (same versions) instead of inlining them. Inlined output works
        with no network at all; the CDN variant is about 180 kB smaller but needs the network.
    plugins : sequence of str, default ("markercluster",)
        Leaflet plugins to include after Leaflet. Known: ``"markercluster"``.
    assets : str, optional
        Link the shared copy that :func:`write_assets` wrote, at this URL relative to the page
        (e.g. ``"assets/"``), instead of inlining. The page's policy must allow ``'self'``.

    Returns
    -------
    str
        HTML to put in the document's ``<head>``, starting with a comment that names the libraries,
        their versions and licences.

    Raises
    ------
    ValueError
        If a plugin name is unknown.

    Examples
    --------
    >>> head = leaflet_head()
    >>> "L.MarkerClusterGroup" in head and "http" not in head.split("-->", 1)[1][:200]
    True
    >>> leaflet_head(cdn=True, plugins=()).count("unpkg.com/leaflet@1.9.3")
    2
    >>> print(leaflet_head(plugins=(), assets="assets/").split("-->")[1].strip())
    <link rel="stylesheet" href="assets/leaflet-1.9.3.css">
    <script src="assets/leaflet-1.9.3.js"></script>
    """
    parts = [asset_notice(plugins)]
    for package, (kind, name, url, integrity) in _files(plugins):
        if assets is not None:
            parts.append(_cdn_tag(kind, assets + _shared_name(package, name), ""))
        else:
            parts.append(
                _cdn_tag(kind, url, integrity) if cdn else _inline_file(package, kind, name)
            )
    return "\n".join(parts)
