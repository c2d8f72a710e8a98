"""``workreview evaluate-quantities``: score a run's quantities against the gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from workreview.cli import app


@app.command("evaluate-quantities")
def evaluate_quantities(
    gold: Annotated[
        Path, typer.Option("--gold", help="Gold folder (statements.jsonl, documents.jsonl, quantities.jsonl).")
    ] = Path("sample_reports/gold"),
    pred: Annotated[Path, typer.Option("--pred", help="Output folder of a run.")] = Path("data"),
    split: Annotated[
        str | None, typer.Option("--split", help="Only documents of this split (default: every split and all).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with the statements in error) instead.")] = False,
) -> None:
    """Precision and recall of the quantities (value, and value + unit) of the statements matched to the gold."""
    from pipeline.evaluate_quantities import evaluate_quantities as score
    from pipeline.evaluate_quantities import render_text

    scores = score(gold, pred, split=split)
    if as_json:
        print(json.dumps({name: {**s.to_dict(), "errors": s.errors} for name, s in scores.items()}, indent=2))
    else:
        print(render_text(scores))
