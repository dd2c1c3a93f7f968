"""The one HTML page shell that every geomap page is built in.

:func:`html_page` writes the ``<!DOCTYPE html>`` document: Swedish language, charset and viewport,
a Content-Security-Policy, the geomap version, the title, the head extras (Leaflet from
:func:`geomap.render.assets.leaflet_head`), the CSS, the body, the JSON data blocks and the page's
scripts. The policy lets only the page's own inline scripts run, each allowed by its SHA-256
hash: even if a text from the data were ever inserted as HTML, an injected ``<script>`` or
``onerror=`` would not execute. Data reaches the scripts only through
``<script type="application/json">`` blocks, which the browser never runs.

Examples
--------
>>> page = html_page(title="Karta", body="<main id='map'></main>", scripts=["var a = 1;"],
...     data={"gm-data": script_json({"n": 1})})
>>> page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
True
>>> '<script type="application/json" id="gm-data">{"n":1}</script>' in page
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from string import Template
from typing import Any

from geomap._version import __version__

__all__ = ["CARTO_TILES", "CDN", "content_security_policy", "html_page", "script_json"]

#: Origin of the CARTO background tiles that the remark maps show when online.
CARTO_TILES = "https://*.basemaps.cartocdn.com"
#: Origin of Leaflet when a page links it instead of inlining it (``cdn=True``).
CDN = "https://unpkg.com"

_SCRIPTS = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
#: A script or style sheet the head links by a relative URL (shared assets beside the page).
_LOCAL_LINK = re.compile(r'<(?:script src|link rel="stylesheet" href)="(?![a-z]+:|//)')
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


_SHELL = Template(
    """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="$policy">
<meta name="generator" content="geomap $version">
<!-- Written by geomap $version -->
<title>$title</title>
$head
<style>$css</style>
</head>
<body>
$body
$data$scripts$files</body>
</html>
"""
)


def _escape_json(text: str) -> str:
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def script_json(payload: Any) -> str:
    r"""Serialise ``payload`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\uXXXX`` escapes, so no text from the
    data can close the script element or start HTML; ``JSON.parse`` restores them exactly.

    Parameters
    ----------
    payload : object
        Anything :func:`json.dumps` takes; NaN and infinity are refused.

    Returns
    -------
    str
        Compact JSON text.

    Examples
    --------
    >>> script_json({"d": "</script><img src=x onerror=alert(1)>"})
    '{"d":"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"}'
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _escape_json(text)


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(
    scripts: Sequence[str],
    *,
    cdn: bool = False,
    image_hosts: Sequence[str] = (),
    local: bool = False,
) -> str:
    """Return the Content-Security-Policy of a page that runs exactly ``scripts``.

    Parameters
    ----------
    scripts : sequence of str
        The exact texts between ``<script>`` and ``</script>`` of every inline script.
    cdn : bool, default False
        Also allow scripts, styles and images from :data:`CDN` (Leaflet linked, not inlined).
    image_hosts : sequence of str, default ()
        Origins images may come from besides ``data:`` URLs, e.g. :data:`CARTO_TILES`.
    local : bool, default False
        Also allow script and style files of the page's own origin (``'self'``: for a page
        opened from disk, files beside it), for pages that link shared assets.

    Returns
    -------
    str
        The policy: nothing is allowed that is not named here, no base URL and no forms.

    Examples
    --------
    >>> policy = content_security_policy(["var a = 1;"], image_hosts=[CARTO_TILES])
    >>> policy.split("; ")[:2]
    ["default-src 'none'", "script-src 'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='"]
    >>> "img-src data: https://*.basemaps.cartocdn.com" in policy
    True
    """
    extra = [CDN] if cdn else []
    own = ["'self'"] if local else []
    scripts_allowed = " ".join([*(_sha256(s) for s in scripts), *extra, *own])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts_allowed or chr(39) + 'none' + chr(39)}",
            f"style-src {' '.join([chr(39) + 'unsafe-inline' + chr(39), *extra, *own])}",
            f"img-src {' '.join(['data:', *image_hosts, *extra])}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _inert(end: re.Pattern[str], text: str) -> str:
    """Return ``text`` between newlines, with no end tag of its element left in it."""
    return "\n" + end.sub(r"<\\/\1", text.strip("\n")) + "\n"


def _data_block(element_id: str, json_text: str) -> str:
    element = html.escape(element_id, quote=True)
    return f'<script type="application/json" id="{element}">{_escape_json(json_text)}</script>'


def html_page(
    *,
    title: str,
    head: str = "",
    css: str = "",
    body: str = "",
    data: Mapping[str, str] | None = None,
    scripts: Sequence[str] = (),
    cdn: bool = False,
    image_hosts: Sequence[str] = (),
    script_files: Sequence[str] = (),
    stylesheets: Sequence[str] = (),
) -> str:
    """Return a complete HTML document in geomap's page shell.

    Parameters
    ----------
    title : str
        Text of ``<title>`` (HTML-escaped here).
    head : str, default ""
        HTML for the ``<head>``, e.g. :func:`geomap.render.assets.leaflet_head`. Its inline
        ``<script>`` elements are allowed by hash; linked ones only with ``cdn``.
    css : str, default ""
        The page's own style sheet.
    body : str, default ""
        HTML of the body. Scripts in it do not run (the policy does not allow them).
    data : mapping of str to str, optional
        Element id to JSON text (e.g. from :func:`script_json`), written as
        ``<script type="application/json" id="…">`` blocks; ``<``, ``>`` and ``&`` are escaped
        again, so no text can end the element.
    scripts : sequence of str, default ()
        The page's JavaScript, one inline ``<script>`` each, in this order after the data.
    cdn : bool, default False
        Allow :data:`CDN` in the policy (pass it when ``head`` links Leaflet there).
    image_hosts : sequence of str, default ()
        Origins of images besides ``data:`` URLs, e.g. :data:`CARTO_TILES` for background tiles.
    script_files, stylesheets : sequence of str, default ()
        Scripts (run last, in order) and style sheets the page links by a URL relative to it,
        e.g. shared assets in ``assets/``; the policy then allows the page's own files
        (``'self'``), still no inline script but the page's own and nothing from elsewhere.

    Returns
    -------
    str
        The document, ``<!DOCTYPE html>`` with ``lang="sv"``.

    Examples
    --------
    >>> page = html_page(title="<Test>", scripts=["document.title = 'x';"])
    >>> "<title>&lt;Test&gt;</title>" in page and "script-src 'sha256-" in html.unescape(page)
    True
    """
    own = [_inert(_SCRIPT_END, s) for s in scripts]
    local = bool(script_files or stylesheets) or _LOCAL_LINK.search(head) is not None
    policy = content_security_policy(
        _SCRIPTS.findall(head) + own, cdn=cdn, image_hosts=image_hosts, local=local
    )
    return _fill_shell(policy, title, head, css, body, data, own, script_files, stylesheets)


def _fill_shell(
    policy: str,
    title: str,
    head: str,
    css: str,
    body: str,
    data: Mapping[str, str] | None,
    own: list[str],
    script_files: Sequence[str],
    stylesheets: Sequence[str],
) -> str:
    """Return the page shell filled in (see :func:`html_page`); ``own`` are its inline scripts."""
    links = "".join(f'<link rel="stylesheet" href="{html.escape(u)}">\n' for u in stylesheets)
    return _SHELL.substitute(
        policy=html.escape(policy),
        version=html.escape(__version__),
        title=html.escape(title),
        head=head + ("\n" + links.rstrip("\n") if links else ""),
        css=_inert(_STYLE_END, css),
        body=body.strip("\n"),
        data="".join(_data_block(key, text) + "\n" for key, text in (data or {}).items()),
        scripts="".join(f"<script>{s}</script>\n" for s in own),
        files="".join(f'<script src="{html.escape(u)}"></script>\n' for u in script_files),
    )
