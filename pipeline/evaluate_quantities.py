"""Score the quantities of an exported dataset against ``gold/quantities.jsonl``.

Statements are matched exactly as the statement evaluator does (``pipeline.evaluate.match_statements``: per
document, token F1 >= 0.5, greedy one-to-one). Within a matched pair, gold and predicted quantities are paired
one-to-one by equal value (``value``), separately by equal value and unit (``value+unit``), and by equal value,
unit and role (``value+unit+role``). Values, not texts, are compared because the gold writers disagree on what a
quantity's text spans ("86" vs "86 new classrooms"). **Role accuracy** is the share of the value+unit pairs whose
predicted role is the gold role (gold quantities without a role are left out of it and of ``value+unit+role``).

The gold is not exhaustive: some writers annotated only a few quantities per document, and many statements
with numbers carry no gold quantity. So **recall** counts every gold quantity of a matched statement, while
**precision** counts only the predictions in matched statements that have at least one gold quantity (an
annotated statement); predictions elsewhere are reported as ``unscored``. Gold quantities of statements the
pipeline missed (or labelled ``other``) are reported as ``in_missed_statements`` and lower only the end-to-end
recall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import EvaluationError
from pipeline.evaluate import file_name, match_statements, read_gold_jsonl
from pipeline.vocabulary import REPORTED_KINDS

SPLITS = ("train", "dev", "test")


@dataclass
class QuantityScore:
    gold: int = 0
    """Gold quantities of matched statements."""
    predicted: int = 0
    """Predicted quantities of matched, annotated statements."""
    value_hits: int = 0
    """Gold quantities paired with a prediction of equal value."""
    unit_hits: int = 0
    """Gold quantities paired with a prediction of equal value and unit."""
    role_scored: int = 0
    """Value+unit pairs whose gold quantity has a role."""
    role_hits: int = 0
    """Of those, the pairs whose predicted role is the gold role."""
    role_gold: int = 0
    """Gold quantities with a role (matched statements)."""
    role_predicted: int = 0
    """Predicted quantities of matched statements whose gold quantities all have a role."""
    role_triple_hits: int = 0
    """Gold quantities paired with a prediction of equal value, unit and role."""
    in_missed_statements: int = 0
    unscored: int = 0
    """Predicted quantities of matched statements without any gold quantity."""
    errors: list[dict] = field(default_factory=list)

    def add(self, other: QuantityScore) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.value_hits += other.value_hits
        self.unit_hits += other.unit_hits
        self.role_scored += other.role_scored
        self.role_hits += other.role_hits
        self.role_gold += other.role_gold
        self.role_predicted += other.role_predicted
        self.role_triple_hits += other.role_triple_hits
        self.in_missed_statements += other.in_missed_statements
        self.unscored += other.unscored
        self.errors += other.errors

    def to_dict(self) -> dict:
        return {
            "precision_value": _ratio(self.value_hits, self.predicted),
            "recall_value": _ratio(self.value_hits, self.gold),
            "precision_value_unit": _ratio(self.unit_hits, self.predicted),
            "recall_value_unit": _ratio(self.unit_hits, self.gold),
            "f1_value_unit": _f1(self.unit_hits, self.predicted, self.gold),
            "role_accuracy": _ratio(self.role_hits, self.role_scored),
            "precision_value_unit_role": _ratio(self.role_triple_hits, self.role_predicted),
            "recall_value_unit_role": _ratio(self.role_triple_hits, self.role_gold),
            "f1_value_unit_role": _f1(self.role_triple_hits, self.role_predicted, self.role_gold),
            "end_to_end_recall_value": _ratio(self.value_hits, self.gold + self.in_missed_statements),
            "gold": self.gold,
            "predicted": self.predicted,
            "value_hits": self.value_hits,
            "value_unit_hits": self.unit_hits,
            "gold_in_missed_statements": self.in_missed_statements,
            "unscored_predictions": self.unscored,
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _f1(hits: int, predicted: int, gold: int) -> float | None:
    return 2 * hits / (predicted + gold) if predicted + gold else None


def _same_value(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _pair(
    gold: list[dict], predicted: list[dict], with_unit: bool, with_role: bool = False
) -> tuple[dict[int, int], set[int], set[int]]:
    """One-to-one pairing in gold order; returns the pairs (gold index → prediction index) and the indices of gold
    and predictions left over."""
    unused = set(range(len(predicted)))
    pairs: dict[int, int] = {}
    missed = set()
    for g_index, g in enumerate(gold):
        candidates = [
            p for p in sorted(unused)
            if _same_value(g["value"], predicted[p]["value"])
            and (not with_unit or g["unit"] == predicted[p]["unit"])
            and (not with_role or g.get("role") == predicted[p].get("role"))
        ]
        # prefer the prediction with the gold's unit (then role), so a looser pairing does not steal it from another
        best = next(
            (p for p in candidates if predicted[p]["unit"] == g["unit"] and predicted[p].get("role") == g.get("role")),
            next((p for p in candidates if predicted[p]["unit"] == g["unit"]), candidates[0] if candidates else None),
        )
        if best is None:
            missed.add(g_index)
        else:
            unused.discard(best)
            pairs[g_index] = best
    return pairs, missed, unused


def evaluate_quantities(gold_dir: Path, pred_dir: Path, split: str | None = None) -> dict[str, QuantityScore]:
    """Scores per split (``train``, ``dev``, ``test``) and ``all``; only that of ``split`` when one is given."""
    documents = read_gold_jsonl(gold_dir / "documents.jsonl", ("document", "split"))
    statements = read_gold_jsonl(gold_dir / "statements.jsonl", ("document", "text"))
    quantities = read_gold_jsonl(gold_dir / "quantities.jsonl", ("document", "statement", "value", "unit"))
    if split is not None and split not in {row["split"] for row in documents}:
        raise EvaluationError(f"no gold document in split {split!r}")
    predicted_statements, predicted_quantities = _read_predictions(pred_dir)

    gold_quantities: dict[tuple[str, str], list[dict]] = {}
    for row in quantities:
        gold_quantities.setdefault((row["document"], row["statement"]), []).append(row)
    by_name: dict[str, str] = {}
    for source in sorted(predicted_statements["source_file"].unique()):
        by_name.setdefault(file_name(source), source)
    predicted_by_source = {
        source: frame.to_dict("records") for source, frame in predicted_statements.groupby("source_file")
    }
    quantities_by_statement = {
        sid: frame.to_dict("records") for sid, frame in predicted_quantities.groupby("statement_id")
    }

    scores = {"all": QuantityScore()}
    for document in sorted(documents, key=lambda row: row["document"]):
        if split is not None and document["split"] != split:
            continue
        gold = [row for row in statements if row["document"] == document["document"]]
        predicted = predicted_by_source.get(by_name.get(document["document"], ""), [])
        score = _score_document(document["document"], gold, predicted, gold_quantities, quantities_by_statement)
        scores.setdefault(document["split"], QuantityScore()).add(score)
        scores["all"].add(score)
    if split is not None:
        return {split: scores["all"]}
    ordered = [name for name in SPLITS if name in scores] + sorted(set(scores) - set(SPLITS) - {"all"}) + ["all"]
    return {name: scores[name] for name in ordered}


def _score_document(
    document: str,
    gold: list[dict],
    predicted: list[dict],
    gold_quantities: dict[tuple[str, str], list[dict]],
    quantities_by_statement: dict[str, list[dict]],
) -> QuantityScore:
    score = QuantityScore()
    matches = match_statements([g["text"] for g in gold], [p["text"] for p in predicted])
    matched_gold = {m.gold_index for m in matches}
    for index, g in enumerate(gold):
        if index not in matched_gold:
            score.in_missed_statements += len(gold_quantities.get((document, g["text"]), []))
    for match in matches:
        g, p = gold[match.gold_index], predicted[match.predicted_index]
        expected = gold_quantities.get((document, g["text"]), [])
        found = quantities_by_statement.get(p["statement_id"], [])
        if not expected:
            score.unscored += len(found)
            continue
        score.gold += len(expected)
        score.predicted += len(found)
        value_pairs, missed, extra = _pair(expected, found, with_unit=False)
        unit_pairs, _, _ = _pair(expected, found, with_unit=True)
        score.value_hits += len(value_pairs)
        score.unit_hits += len(unit_pairs)
        role_errors = False
        if all(q.get("role") for q in expected):  # a statement whose gold quantities all have a role
            triple_pairs, _, _ = _pair(expected, found, with_unit=True, with_role=True)
            score.role_gold += len(expected)
            score.role_predicted += len(found)
            score.role_triple_hits += len(triple_pairs)
            role_errors = len(triple_pairs) < len(unit_pairs)
        for g_index, p_index in unit_pairs.items():
            if expected[g_index].get("role"):
                score.role_scored += 1
                score.role_hits += expected[g_index]["role"] == found[p_index].get("role")
        if missed or extra or len(unit_pairs) < len(value_pairs) or role_errors:
            score.errors.append(
                {
                    "document": document,
                    "statement": g["text"],
                    "gold": [(q["value"], q["unit"], q.get("role")) for q in expected],
                    "predicted": [(q["value"], q["unit"], q.get("role")) for q in found],
                }
            )
    return score


def _read_predictions(pred_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    statements_path, quantities_path = pred_dir / "statements.parquet", pred_dir / "quantities.csv"
    for path in (statements_path, quantities_path):
        if not path.is_file():
            raise EvaluationError(f"predictions not found: {path} (run `workreview run` with --out pointing there)")
    try:
        statements = pd.read_parquet(statements_path)
        quantities = pd.read_csv(quantities_path, dtype={"statement_id": str, "unit": str, "role": str})
    except Exception as error:  # pyarrow and pandas raise several types for a damaged file
        raise EvaluationError(f"cannot read the predictions in {pred_dir}: {error}") from None
    for path, frame, columns in (
        (statements_path, statements, ("statement_id", "source_file", "kind", "text")),
        (quantities_path, quantities, ("statement_id", "value", "unit")),
    ):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise EvaluationError(f"{path} lacks column(s) {', '.join(missing)}; is it a workreview export?")
    statements = statements[statements["kind"].isin(REPORTED_KINDS)]
    quantities = quantities.astype({"value": "float64"})
    quantities["value"] = [None if math.isnan(v) else v for v in quantities["value"]]
    if "role" not in quantities.columns:  # an export written before quantities had roles
        quantities["role"] = None
    quantities["role"] = quantities["role"].astype(object).where(quantities["role"].notna(), None)
    return statements, quantities


def render_text(scores: dict[str, QuantityScore]) -> str:
    header: list[object] = [
        "split", "gold", "pred", "P value", "R value", "P value+unit", "R value+unit", "F1 value+unit",
        "role acc", "P v+u+role", "R v+u+role", "F1 v+u+role", "end-to-end R", "unscored",
    ]
    rows: list[list[object]] = []
    for name, score in scores.items():
        d = score.to_dict()
        rows.append([
            name, score.gold, score.predicted, _fmt(d["precision_value"]), _fmt(d["recall_value"]),
            _fmt(d["precision_value_unit"]), _fmt(d["recall_value_unit"]), _fmt(d["f1_value_unit"]),
            _fmt(d["role_accuracy"]), _fmt(d["precision_value_unit_role"]), _fmt(d["recall_value_unit_role"]),
            _fmt(d["f1_value_unit_role"]), _fmt(d["end_to_end_recall_value"]), score.unscored,
        ])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "Quantities of matched statements against the gold (precision over statements with gold quantities; "
        "see pipeline/evaluate_quantities.py)",
        "",
    ]
    for row in [header, *rows]:
        lines.append("  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w) for i, (cell, w) in
                               enumerate(zip(row, widths))).rstrip())
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
