"""``workreview train``: rebuild the shipped statement classifier from the gold corpus and score it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InvalidInput
from workreview.cli import app, console


def parse_overrides(settings: list[str]) -> dict:
    """``section.key=value`` pairs for the spaCy config; the value is JSON when it parses, else a string."""
    overrides = {}
    for setting in settings:
        key, separator, value = setting.partition("=")
        if not separator or not key:
            raise typer.BadParameter(f"expected section.key=value, got {setting!r}", param_hint="--set")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def reviewed_training_examples(out_dir: Path) -> list:
    """Reviewers' decisions as ``ReviewedExample``s (document = the file name the gold uses)."""
    from pipeline.review import reviewed_examples
    from pipeline.train import ReviewedExample

    return [
        ReviewedExample(Path(example["source_file"]).name, example["text"], example["label"])
        for example in reviewed_examples(out_dir)
    ]


@app.command()
def train(
    reports_dir: Annotated[Path, typer.Argument(help="The corpus folder the gold annotates.")] = Path("sample_reports"),
    gold: Annotated[Path, typer.Option("--gold", help="Gold folder (documents.jsonl, statements.jsonl).")] = Path(
        "sample_reports/gold"
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="Model folder (default: models/statement_classifier).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="spaCy training config.")] = None,
    settings: Annotated[
        list[str] | None, typer.Option("--set", help="Config override, e.g. components.textcat.model.ngram_size=2.")
    ] = None,
    reviews: Annotated[
        Path | None,
        typer.Option("--reviews", help="Output folder whose reviewers' decisions become training examples."),
    ] = None,
) -> None:
    """Train the statement classifier on the train split, calibrate it by cross-validation, score it on dev and test."""
    from thinc.api import ConfigValidationError

    from pipeline.boundaries import training_edits
    from pipeline.nlp import MODEL_DIR
    from pipeline.train import DEFAULT_CONFIG, train_statement_classifier, write_scores

    out, config = out or MODEL_DIR, config or DEFAULT_CONFIG
    for path, what in ((reports_dir, "reports folder"), (gold / "documents.jsonl", "gold"), (config, "config")):
        if not path.exists():
            raise InvalidInput(f"{what} not found: {path}")
    overrides = parse_overrides(settings or [])
    extra = reviewed_training_examples(reviews) if reviews else []
    edits = training_edits(reviews) if reviews else {}
    if reviews:
        console.print(f"{len(extra)} reviewed decision(s) from {reviews} override the gold for their statements.")
        changes = sum(len(file_edits) for file_edits in edits.values())
        console.print(f"{changes} boundary change(s) from {reviews} reshape the statements of {len(edits)} report(s).")
    try:
        report = train_statement_classifier(
            reports_dir, gold, out, config, overrides=overrides, extra_examples=extra, boundary_edits=edits
        )
    except ConfigValidationError as error:
        raise InvalidInput(f"invalid training config: {error}") from None
    write_scores(report, out)
    console.print(f"Model {report.model_version} written to {out} ({report.size_bytes / 1e6:.2f} MB).")
    for split, scores in report.splits.items():
        evaluation = scores.evaluation
        flags = evaluation["flags"]
        per_label = ", ".join(f"{label} {score['f1']:.3f}" for label, score in evaluation["labels"].items())
        console.print(
            f"{split}: macro-F1 {evaluation['macro_f1']:.3f} ({per_label}); flagged {flags['flagged_share']:.1%} "
            f"of statements, {flags['errors_flagged_share']:.1%} of errors"
        )
    console.print(f"Scores: {out / 'scores.md'}")
