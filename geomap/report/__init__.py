"""Reports in Swedish: one document model written as offline HTML, tagged PDF and XLSX.

Build a :class:`Report` of :class:`Section` objects holding :class:`Table`, :class:`Chart`
(SVG from :mod:`geomap.report.charts` with its table) and :class:`MapView` blocks, then write it
with :func:`write_report` (or several with :func:`write_reports`) into one atomic output folder:
``<stem>.html`` (self-contained, offline, strict CSP), ``<stem>.pdf`` (WeasyPrint, PDF/UA-1,
tagged, A4) and ``<stem>.xlsx`` (sheet "Om rapporten", then one sheet per table). Numbers are
Swedish everywhere (:mod:`geomap.core.words`).
"""

from geomap.report.charts import bar_chart, heatmap, line_chart
from geomap.report.document import (
    FORMATS,
    Chart,
    MapLayer,
    MapView,
    Report,
    Section,
    Table,
    cell_texts,
    format_value,
)
from geomap.report.write import (
    render_html,
    render_pdf,
    write_report,
    write_reports,
    write_xlsx_report,
)

__all__ = [
    "FORMATS",
    "Chart",
    "MapLayer",
    "MapView",
    "Report",
    "Section",
    "Table",
    "bar_chart",
    "cell_texts",
    "format_value",
    "heatmap",
    "line_chart",
    "render_html",
    "render_pdf",
    "write_report",
    "write_reports",
    "write_xlsx_report",
]
