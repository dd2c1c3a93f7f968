r"""Charts as SVG text: matplotlib (Agg/SVG backend, no browser), Swedish numbers on the axes.

Every function returns one ``<svg>`` element (no XML declaration) with ``role="img"``, a
``<title>`` and a ``<desc>``, ready to be put inline in HTML or a PDF. Text stays text
(``svg.fonttype = "none"``), so it can be searched and read aloud. The output is deterministic
(fixed hash salt, no date in the metadata). Put the numbers in a :class:`geomap.report.Table`
beside the chart (:class:`geomap.report.Chart`).

Examples
--------
>>> svg = bar_chart(["Klotter", "Nedskräpning"], [1200, 30], title="Antal per kategori")
>>> svg.startswith("<svg") and "Antal per kategori</title>" in svg and "1 200" in svg.replace("\u00a0", " ")
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from geomap.core.palette import PALETTE
from geomap.core.words import format_date, format_number

__all__ = ["bar_chart", "figure_svg", "heatmap", "line_chart", "swedish_axis"]

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "geomap",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def swedish_axis(axis: Any) -> None:
    """Write the tick labels of a matplotlib ``axis`` as Swedish numbers (``1 200``, ``0,5``).

    Examples
    --------
    >>> plt = _pyplot()
    >>> fig, ax = plt.subplots()
    >>> swedish_axis(ax.yaxis)
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FuncFormatter

    def _text(value: float, _pos: int) -> str:
        decimals = 0 if float(value).is_integer() else (1 if round(value, 1) == value else 2)
        return format_number(value, decimals=decimals)

    axis.set_major_formatter(FuncFormatter(_text))


def figure_svg(figure: Any, *, title: str, description: str = "") -> str:
    """Return a matplotlib ``figure`` as an accessible ``<svg>`` element and close it.

    Examples
    --------
    >>> plt = _pyplot()
    >>> fig, ax = plt.subplots()
    >>> figure_svg(fig, title="Tom", description="Ingen data").count("<desc ")
    1
    """
    plt = _pyplot()
    buffer = io.StringIO()
    try:
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    opening = _SVG_OPEN.search(text)
    assert opening is not None  # matplotlib always writes one
    ident = "gm-" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    head = opening.group(0)[:-1] + f' role="img" aria-labelledby="{ident}-t {ident}-d">'
    label = (
        f'<title id="{ident}-t">{html.escape(title)}</title>'
        f'<desc id="{ident}-d">{html.escape(description or title)}</desc>'
    )
    return head + label + text[opening.end() :]


def _figure(width: float, height: float) -> tuple[Any, Any]:
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float] | Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    horizontal: bool = False,
) -> str:
    """Return a bar chart as SVG: one series, or several (mapping name → values) side by side.

    Parameters
    ----------
    labels : sequence of str
        Category of each bar (group).
    values : sequence of float, or mapping of str to sequence of float
        One value per label, or series name → one value per label.
    title, xlabel, ylabel : str
        Texts of the chart (Swedish).
    horizontal : bool, default False
        Bars from the left (long labels), first label at the top.

    Examples
    --------
    >>> svg = bar_chart(["a", "b"], {"2024": [1, 2], "2025": [2, 3]}, title="Jämförelse")
    >>> "2024" in svg and "2025" in svg
    True
    """
    series = dict(values) if isinstance(values, Mapping) else {"": list(values)}
    n, k = len(labels), max(len(series), 1)
    height = max(2.4, 0.28 * n * (1 + 0.4 * (k - 1)) + 1.0) if horizontal else 3.2
    with _pyplot().rc_context(_STYLE):
        fig, ax = _figure(7.0, min(height, 11.0))
        positions = np.arange(n, dtype=float)
        width = 0.8 / k
        for i, (name, numbers) in enumerate(series.items()):
            offset = positions - 0.4 + width * (i + 0.5)
            data = np.asarray(numbers, dtype=float)
            draw = ax.barh if horizontal else ax.bar
            draw(offset, data, width, label=name or None, color=PALETTE[i % len(PALETTE)])
        _bar_axes(ax, labels, positions, horizontal=horizontal)
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if k > 1:
            ax.legend(frameon=False)
        return figure_svg(fig, title=title, description=_describe_bars(labels, series))


def _bar_axes(ax: Any, labels: Sequence[str], positions: np.ndarray, *, horizontal: bool) -> None:
    if horizontal:
        ax.set_yticks(positions, list(labels))
        ax.invert_yaxis()
        swedish_axis(ax.xaxis)
        ax.grid(axis="x", color="#dddddd")
    else:
        ax.set_xticks(
            positions,
            list(labels),
            rotation=30 if len(labels) > 6 else 0,
            ha="right" if len(labels) > 6 else "center",
        )
        swedish_axis(ax.yaxis)
        ax.grid(axis="y", color="#dddddd")


def _describe_bars(labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    parts = []
    for name, numbers in series.items():
        pairs = ", ".join(
            f"{label}: {format_number(v, decimals=0 if float(v).is_integer() else 1)}"
            for label, v in zip(labels, numbers, strict=False)
        )
        parts.append(f"{name}: {pairs}" if name else pairs)
    text = "; ".join(parts)
    return text if len(text) <= 600 else text[:599] + "… (hela tabellen bredvid)"


def _x_text(value: dt.date | str) -> str:
    if isinstance(value, str):
        return value
    return format_date(value)


def line_chart(
    x: Sequence[dt.date | str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str = "",
    marker: dt.date | None = None,
    marker_label: str = "",
) -> str:
    """Return a line chart as SVG: one line per series over dates or labels.

    Parameters
    ----------
    x : sequence of datetime.date or str
        The x values (dates are placed by time, text evenly).
    series : mapping of str to sequence of float
        Series name → one value per x.
    title, ylabel : str
        Texts (Swedish).
    marker : datetime.date, optional
        A vertical line (e.g. when a measure was taken), with ``marker_label``.

    Examples
    --------
    >>> svg = line_chart([dt.date(2025, 1, 1), dt.date(2025, 2, 1)], {"Antal": [3, 5]},
    ...                  title="Per månad", marker=dt.date(2025, 1, 15), marker_label="Åtgärd")
    >>> "Åtgärd" in svg
    True
    """
    dates = all(isinstance(v, dt.date) for v in x) and len(x) > 0
    positions: Any = pd.to_datetime([pd.Timestamp(v) for v in x]) if dates else np.arange(len(x))
    with _pyplot().rc_context(_STYLE):
        fig, ax = _figure(7.0, 3.2)
        _plot_lines(ax, positions, series, dots=len(x) <= 30)
        if not dates:
            step = max(1, len(x) // 12)
            ax.set_xticks(positions[::step], [str(v) for v in x][::step], rotation=30, ha="right")
        else:
            _date_axis(ax)
        if marker is not None:
            _draw_marker(ax, pd.Timestamp(marker) if dates else marker, marker_label)
        swedish_axis(ax.yaxis)
        ax.grid(axis="y", color="#dddddd")
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        if len(series) > 1:
            ax.legend(frameon=False)
        span = f"{_x_text(x[0])} till {_x_text(x[-1])}" if len(x) else "inga värden"
        return figure_svg(fig, title=title, description=f"{title}, {span}; {', '.join(series)}")


def _plot_lines(
    ax: Any, positions: Any, series: Mapping[str, Sequence[float]], *, dots: bool
) -> None:
    """Draw one line per series of :func:`line_chart`, in palette order, with dots if ``dots``."""
    for i, (name, numbers) in enumerate(series.items()):
        ax.plot(
            positions,
            np.asarray(numbers, dtype=float),
            label=name,
            color=PALETTE[i % len(PALETTE)],
            marker="o" if dots else None,
            markersize=3,
        )


def _draw_marker(ax: Any, where: Any, label: str) -> None:
    """Draw :func:`line_chart`'s vertical marker line at x ``where``, labelled ``label``."""
    ax.axvline(where, color="#555555", linestyle="--", linewidth=1)
    ax.annotate(
        label,
        (where, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -10),
        textcoords="offset points",
        fontsize=8,
    )


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    from geomap.core.words import MONTH_NAMES

    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)

    def _text(value: float, _pos: int) -> str:
        day = mdates.num2date(value).date()
        return (
            f"{MONTH_NAMES[day.month - 1][:3]} {day.year}"
            if day.day == 1
            else f"{day.day} {MONTH_NAMES[day.month - 1][:3]}"
        )

    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(_text))


def heatmap(frame: pd.DataFrame, *, title: str, xlabel: str = "", ylabel: str = "") -> str:
    """Return a heat map of counts (rows × columns, e.g. weekday × hour) as SVG, counts in cells.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 0], [2, 5]], index=["måndag", "tisdag"], columns=["0", "1"])
    >>> svg = heatmap(m, title="Veckodag och timme")
    >>> "måndag" in svg and "<desc " in svg
    True
    """
    values = frame.to_numpy(dtype=float)
    with _pyplot().rc_context(_STYLE):
        fig, ax = _figure(7.2, max(2.2, 0.32 * len(frame) + 1.0))
        image = ax.imshow(values, aspect="auto", cmap="YlOrRd", vmin=0)
        ax.set_xticks(np.arange(frame.shape[1]), [str(c) for c in frame.columns])
        ax.set_yticks(np.arange(frame.shape[0]), [str(i) for i in frame.index])
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        if values.size and frame.shape[1] <= 31:
            top = np.nanmax(values) if np.isfinite(values).any() else 0
            for (r, c), v in np.ndenumerate(values):
                if v > 0:
                    ax.text(
                        c,
                        r,
                        format_number(v),
                        ha="center",
                        va="center",
                        fontsize=6,
                        color="white" if v > 0.6 * top else "black",
                    )
        colourbar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
        swedish_axis(colourbar.ax.yaxis)
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        total = format_number(float(np.nansum(values))) if values.size else "0"
        return figure_svg(
            fig,
            title=title,
            description=f"{title}: {total} totalt; tabellen bredvid har alla värden",
        )
