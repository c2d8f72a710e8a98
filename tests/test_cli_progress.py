"""The progress bar of `workreview run` names the stage the run is in, not only a count."""

import io
import re

from rich.console import Console

from workreview import cli


def test_the_bar_names_each_stage_and_counts_documents_while_reading(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=screen, force_terminal=True, width=120))
    with cli._progress_bar() as show:
        for done, total, stage in [
            (0, 0, "starting"),
            (0, 48, "reading"),
            (8, 48, "storing"),
            (8, 48, "reading"),
            (48, 48, "exporting"),
            (48, 48, "summarising"),
        ]:
            show(done, total, stage)
    frames = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert frames.lstrip().startswith("Starting")  # before the flow has said anything
    order = [frames.index(word) for word in ("Starting", "Reading", "Storing", "Exporting", "Summarising")]
    assert order == sorted(order)
    assert "8/48" in frames and "48/48" in frames
