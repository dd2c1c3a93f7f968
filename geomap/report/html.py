"""The report as HTML: one self-contained offline page, or the print variant WeasyPrint lays out.

Both come from one jinja2 template (``templates/report.html.j2``). The screen page is built in
geomap's page shell (:func:`geomap.render.page.html_page`: ``lang="sv"``, strict
Content-Security-Policy, scripts allowed by hash); Leaflet is inlined only when the report has a
map, whose layers travel in a JSON data block. The print variant has no script: maps are static
SVG (:func:`geomap.report.mapview.static_svg`).

Examples
--------
>>> import pandas as pd
>>> from geomap.report.document import Report, Section, Table
>>> t = Table("antal", "Antal", pd.DataFrame({"Kategori": ["Klotter"], "Antal": [1200]}))
>>> page = render_html(Report("Lägesbild", [Section("Översikt", blocks=[t])], synthetic=True))
>>> '<html lang="sv">' in page and 'data-sheet="antal"' in page and "Syntetiska data" in page
True
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from typing import Any

from markupsafe import Markup

from geomap._version import __version__
from geomap.core.dates import TIMEZONE
from geomap.core.words import format_date, format_number
from geomap.render.assets import leaflet_head
from geomap.render.page import html_page, script_json
from geomap.report.document import (
    Chart,
    MapView,
    Report,
    Table,
    cell_texts,
    column_formats,
    shown_rows,
)
from geomap.report.mapview import leaflet_spec, legend_items, static_svg

__all__ = ["MAP_DATA_ID", "print_html", "render_html", "template_text"]

#: Element id of the JSON block with the maps' layers.
MAP_DATA_ID = "gm-report-maps"
_NUMERIC = {"heltal", "decimal1", "decimal2", "procent", "p"}


@functools.lru_cache(maxsize=8)
def template_text(name: str) -> str:
    """Return the text of a bundled template file (``report.css``, ``report_map.js`` …).

    Examples
    --------
    >>> "L.map" in template_text("report_map.js")
    True
    """
    return (resources.files("geomap.report") / "templates" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("geomap.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _table(table: Table) -> dict[str, Any]:
    formats = column_formats(table)
    shown = shown_rows(table)
    texts = cell_texts(table, rows=shown)
    columns = [{"name": name, "numeric": formats[name] in _NUMERIC} for name in table.frame.columns]
    rows = list(zip(*texts.values(), strict=True)) if texts else []
    return {
        "type": "table",
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "more": _more(table, shown),
        "columns": columns,
        "rows": rows,
        "row_headers": bool(columns) and not columns[0]["numeric"],
        "widths": _widths(table.frame.columns, texts),
    }


def _widths(headers: Any, texts: dict[str, list[str]]) -> list[str]:
    """Column widths in % from the text lengths, for the PDF's fixed table layout.

    WeasyPrint's automatic table layout measures every cell twice (minimum and maximum
    content width); a fixed layout with widths computed here costs one pass and reads as well.
    """
    weights = []
    for name in headers:
        cells = texts.get(name, [])
        longest = max((len(t) for t in cells), default=0)
        word = max((len(w) for w in str(name).split()), default=1)
        weights.append(min(max(float(longest), 1.2 * word, 4.0), 34.0) + 1.5)  # bold headers
    total = sum(weights) or 1.0
    return [f"{100 * w / total:.1f}%" for w in weights]


def _more(table: Table, shown: int) -> str:
    if shown >= len(table.frame):
        return ""
    total = format_number(len(table.frame))
    return f"Visar de {format_number(shown)} första av {total} rader; alla finns i kalkylbladet, blad {table.key}."


def _block(block: Table | Chart | MapView, index: int, *, pdf: bool) -> dict[str, Any]:
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return {
            "type": "chart",
            "title": block.title,
            "description": block.description,
            "svg": Markup(block.svg),
            "table": _table(block.table),
        }
    return {
        "type": "map",
        "id": f"gm-karta-{index}",
        "title": block.title,
        "description": block.description,
        "legend": legend_items(block),
        "svg": Markup(static_svg(block)) if pdf else "",
    }


def _generated(report: Report) -> str:
    when = report.generated or dt.datetime.now(dt.UTC)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).astimezone(_zone())
    return f"{format_date(when.date())} kl. {when:%H:%M}"


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TIMEZONE)


def _context(report: Report, *, pdf: bool) -> tuple[dict[str, Any], list[MapView]]:
    maps: list[MapView] = []
    sections = []
    for section in report.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, MapView):
                maps.append(block)
            blocks.append(_block(block, len(maps), pdf=pdf))
        sections.append({"title": section.title, "text": section.text, "blocks": blocks})
    context = {
        "title": report.title,
        "subtitle": report.subtitle,
        "period": report.period,
        "banner": report.banner,
        "generated": _generated(report),
        "version": __version__,
        "sections": sections,
        "method": report.method,
        "sources": report.sources,
        "pdf": pdf,
    }
    return context, maps


def render_html(report: Report) -> str:
    """Return ``report`` as one self-contained offline HTML page.

    Examples
    --------
    >>> from geomap.report.document import Report, Section
    >>> page = render_html(Report("Tom rapport", [Section("Inget")]))
    >>> "Content-Security-Policy" in page and "leaflet" not in page.lower()
    True
    """
    context, maps = _context(report, pdf=False)
    body = _environment().get_template("report.html.j2").render(context)
    head, data, scripts = "", {}, []
    if maps:
        specs = [leaflet_spec(view, f"gm-karta-{i}") for i, view in enumerate(maps, start=1)]
        head = leaflet_head(plugins=())
        data = {MAP_DATA_ID: script_json(specs)}
        scripts = [template_text("report_map.js")]
    return html_page(
        title=report.title,
        head=head,
        css=template_text("report.css"),
        body=body,
        data=data,
        scripts=scripts,
    )


def print_html(report: Report) -> str:
    """Return the print variant of ``report`` (no scripts, static maps) for WeasyPrint.

    Examples
    --------
    >>> from geomap.report.document import Report, Section
    >>> "<script" in print_html(Report("R", [Section("S")]))
    False
    """
    context, _ = _context(report, pdf=True)
    body = _environment().get_template("report.html.j2").render(context)
    return html_page(title=report.title, css=template_text("report_print.css"), body=body)
