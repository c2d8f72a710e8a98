"""Charts for the national summary, as SVG ``data:`` URIs so ``summary.html`` stays one file that needs no network.

Drawn with matplotlib's object API (``Figure``, no pyplot), which needs no display and keeps no global state; the
SVG carries no date and fixed ids, so the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, str | int] = {
    "svg.hashsalt": "workreview", "svg.fonttype": "none", "font.size": 9, "font.family": "sans-serif"
}
BAR_COLOUR = "#2f6f9f"
ROW_INCHES = 0.24


def heat_map(counts: pd.DataFrame, title: str) -> str:
    """Rows × columns of counts (e.g. province × kind), each cell labelled with its number."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2.2 + 1.2 * len(counts.columns), 1.0 + ROW_INCHES * len(counts)))
        axes = figure.add_subplot()
        image = axes.imshow(counts.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
        axes.set_xticks(range(len(counts.columns)), [str(c) for c in counts.columns])
        axes.set_yticks(range(len(counts.index)), [str(i) for i in counts.index])
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        threshold = max(counts.to_numpy().max(), 1) * 0.6
        for row, values in enumerate(counts.to_numpy()):
            for column, value in enumerate(values):
                colour = "white" if value > threshold else "black"
                axes.text(column, row, f"{value:g}", ha="center", va="center", color=colour)
        figure.colorbar(image, ax=axes, shrink=0.5, label="statements")
        axes.set_title(title, pad=24)
        return _data_uri(figure)


def bar_panels(panels: list[tuple[str, pd.Series]], xlabel: str) -> str:
    """One horizontal bar chart per ``(title, values by label)``, side by side, largest bar on top."""
    rows = max(len(values) for _, values in panels)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(4.2 * len(panels), 1.0 + ROW_INCHES * rows), layout="constrained")
        for axes, (title, values) in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
            ordered = values.sort_values(ascending=True, kind="stable")
            axes.barh([str(label) for label in ordered.index], ordered.to_numpy(), color=BAR_COLOUR)
            for position, value in enumerate(ordered.to_numpy()):
                axes.text(
                    value, position, f" {value:,.0f}" if float(value).is_integer() else f" {value:,.1f}", va="center"
                )
            axes.xaxis.set_major_locator(MaxNLocator(nbins=4))
            axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            axes.set_title(title)
            axes.set_xlabel(xlabel)
            axes.margins(x=0.18)
            axes.spines[["top", "right"]].set_visible(False)
        return _data_uri(figure)


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
