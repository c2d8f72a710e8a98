"""Score an exported dataset against the gold annotations (``sample_reports/gold/``).

Within each document, predicted statements are matched one-to-one to gold statements, greedily by descending
similarity (the F1 of the two texts' sets of lower-cased alphanumeric tokens), ties broken by gold then
prediction order; a pair needs a similarity of at least ``MATCH_THRESHOLD``. Token overlap rather than exact
text lets a statement count when the reader split or joined a line slightly differently from the gold, while a
half-overlapping fragment still counts as wrong. A matched pair with equal labels is a true positive; with
different labels a false negative of the gold label and a false positive of the predicted one. Unmatched
predictions are false positives, unmatched gold statements false negatives.

Gold documents are named by file name, predictions by path under the reports folder: they meet on the path's
last component, so the same corpus evaluates the same wherever its files sit.

Documents carry a genre in the gold (``template`` when absent); scores are also given per genre, and a selection
of genres can be scored alone (``wild`` = every genre but ``template``).

Beside the model, the keyword baseline of issue 12 is scored on the same documents: it relabels the texts of
the run's own exported statements (:func:`keyword_label`), so it shares the pipeline's statement boundaries and
only the labelling differs. With an ``--all`` export those are all segments, ``other`` included, and the
baseline decides alone what is a statement; with a default export it only sees what the model already
called an achievement, challenge or goal, which flatters it. The report says which of the two it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import EvaluationError
from pipeline.khmer import ascii_digits, normalize
from pipeline.vocabulary import REPORTED_KINDS, StatementKind

MATCH_THRESHOLD = 0.5
TOKEN = re.compile(r"[a-z0-9]+")
DEFAULT_GENRE = "template"
WILD = "wild"
"""Genre selector meaning every genre except :data:`DEFAULT_GENRE`."""

BASELINE_GOAL = re.compile(r"\b(?:will|plan\w*|target\w*)\b", re.IGNORECASE)
BASELINE_CHALLENGE = re.compile(r"\b(?:problem\w*|difficult\w*|lack\w*|challeng\w*)\b", re.IGNORECASE)
IRREGULAR_PAST = (
    "built", "made", "gave", "given", "held", "took", "taken", "met", "spent", "paid", "sold", "won", "began",
    "begun", "became", "grew", "grown", "rose", "risen", "fell", "fallen", "brought", "bought", "taught", "kept",
    "left", "led", "ran", "saw", "seen", "sent", "went", "gone", "did", "done", "got", "found", "drew", "drawn",
    "wrote", "written", "dug", "struck", "caught", "fought", "sought", "lost", "broke", "broken", "was", "were",
)
BASELINE_ACHIEVEMENT = re.compile(
    r"\b(?:[a-z]+ed|" + "|".join(IRREGULAR_PAST) + r")\b|\d", re.IGNORECASE
)


def keyword_label(text: str) -> str:
    """The keyword baseline: will/plan/target -> goal; problem/difficult/lack/challenge -> challenge; else a
    past-tense verb (a word ending in -ed or a common irregular past form) or a number -> achievement; else
    ``other``. Word stems count ("planned", "targets", "lacking", "difficulties")."""
    if BASELINE_GOAL.search(text):
        return "goal"
    if BASELINE_CHALLENGE.search(text):
        return "challenge"
    if BASELINE_ACHIEVEMENT.search(text):
        return "achievement"
    return "other"
KHMER_RUN = re.compile(r"[\u1780-\u17D3\u17DD]+")
KHMER_NGRAM = 3
"""Khmer writes no spaces between words, so a Khmer stretch is compared by its character trigrams."""


def tokens(text: str) -> frozenset[str]:
    """Lower-case ASCII words and digits (Khmer digits read as ASCII), and the trigrams of each Khmer stretch in
    its normalised spelling (``pipeline.khmer.normalize``), so zero-width spaces and ឲ/ឱ do not count."""
    found = set(TOKEN.findall(ascii_digits(text).lower()))
    for run in KHMER_RUN.findall(normalize(text)):
        found.update(run[i : i + KHMER_NGRAM] for i in range(max(len(run) - KHMER_NGRAM + 1, 1)))
    return frozenset(found)


def similarity(gold: frozenset[str], predicted: frozenset[str]) -> float:
    """F1 of the two token sets: 2·|common| / (|gold| + |predicted|); 0 when both are empty."""
    total = len(gold) + len(predicted)
    return 2 * len(gold & predicted) / total if total else 0.0


@dataclass(frozen=True)
class Match:
    gold_index: int
    predicted_index: int
    similarity: float


def match_statements(gold_texts: list[str], predicted_texts: list[str]) -> list[Match]:
    """The greedy one-to-one matching, most similar pair first; deterministic for equal similarities."""
    gold_tokens = [tokens(text) for text in gold_texts]
    predicted_tokens = [tokens(text) for text in predicted_texts]
    candidates = []
    for g, gold in enumerate(gold_tokens):
        for p, predicted in enumerate(predicted_tokens):
            score = similarity(gold, predicted)
            if score >= MATCH_THRESHOLD:
                candidates.append((-score, g, p))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matches = []
    for negative_score, g, p in candidates:
        if g in used_gold or p in used_predicted:
            continue
        used_gold.add(g)
        used_predicted.add(p)
        matches.append(Match(g, p, -negative_score))
    return sorted(matches, key=lambda m: (m.gold_index, m.predicted_index))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class LabelScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.predicted) or 0.0

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.gold) or 0.0

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, self.gold + self.predicted) or 0.0

    def add(self, other: LabelScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "gold": self.gold, "predicted": self.predicted,
        }


@dataclass(frozen=True)
class StatementError:
    """One mistake, for error analysis: ``false_positive``, ``false_negative`` or ``wrong_label``."""

    kind: str
    gold_label: str | None
    predicted_label: str | None
    gold_text: str | None
    predicted_text: str | None
    similarity: float | None
    flagged: bool | None


@dataclass
class DocumentEvaluation:
    document: str
    split: str | None
    format: str | None
    source_file: str | None
    """The prediction's path under the reports folder; None when the document is absent from the predictions."""
    gold_province_code: str | None
    predicted_province_code: str | None
    scores: dict[StatementKind, LabelScore]
    errors: list[StatementError]
    predicted_statements: int
    flagged_statements: int
    flagged_errors: int
    genre: str = DEFAULT_GENRE

    @property
    def province_correct(self) -> bool:
        return self.source_file is not None and self.gold_province_code == self.predicted_province_code

    @property
    def total(self) -> LabelScore:
        total = LabelScore()
        for score in self.scores.values():
            total.add(score)
        return total

    @property
    def wrong_predictions(self) -> int:
        """Predicted statements that are not true positives (false positives and wrong labels)."""
        return self.predicted_statements - self.total.tp

    def to_dict(self) -> dict:
        total = self.total
        return {
            "document": self.document,
            "split": self.split,
            "genre": self.genre,
            "format": self.format,
            "source_file": self.source_file,
            "gold_province_code": self.gold_province_code,
            "predicted_province_code": self.predicted_province_code,
            "province_correct": self.province_correct,
            "gold_statements": total.gold,
            "predicted_statements": self.predicted_statements,
            "tp": total.tp, "fp": total.fp, "fn": total.fn, "f1": total.f1,
            "labels": {label: score.to_dict() for label, score in self.scores.items()},
            "flagged_statements": self.flagged_statements,
            "flagged_errors": self.flagged_errors,
            "errors": [asdict(error) for error in self.errors],
        }


def _label_totals(documents: list[DocumentEvaluation]) -> dict[StatementKind, LabelScore]:
    totals = {label: LabelScore() for label in REPORTED_KINDS}
    for document in documents:
        for label, score in document.scores.items():
            totals[label].add(score)
    return totals


def _macro_f1(labels: dict[StatementKind, LabelScore]) -> float:
    """Mean F1 over the reported kinds; a kind with neither gold nor predictions scores 0, as in the total."""
    return sum(score.f1 for score in labels.values()) / len(REPORTED_KINDS)


@dataclass
class Evaluation:
    split: str | None
    documents: list[DocumentEvaluation]
    unscored_sources: list[str] = field(default_factory=list)
    """Predicted files with no gold document (outside the gold or outside the split): not counted."""
    warnings: list[str] = field(default_factory=list)
    genres: list[str] | None = None
    """The genres selected (``None``: all); documents outside them are not scored."""
    has_genres: bool = False
    """Whether the gold names genres; the per-genre table is shown only then."""
    baseline: Evaluation | None = None
    """The keyword baseline scored on the same documents and statement texts (:func:`keyword_label`)."""
    baseline_sees_all_segments: bool = False
    """True when the export held ``other`` rows too (``--all``), so the baseline relabelled every segment."""

    @property
    def labels(self) -> dict[StatementKind, LabelScore]:
        return _label_totals(self.documents)

    @property
    def total(self) -> LabelScore:
        total = LabelScore()
        for score in self.labels.values():
            total.add(score)
        return total

    @property
    def macro_f1(self) -> float:
        return _macro_f1(self.labels)

    @property
    def by_genre(self) -> dict[str, dict[StatementKind, LabelScore]]:
        """Label scores per genre, genres in alphabetical order."""
        genres = sorted({document.genre for document in self.documents})
        return {genre: _label_totals([d for d in self.documents if d.genre == genre]) for genre in genres}

    @property
    def wrong_provinces(self) -> list[DocumentEvaluation]:
        return [document for document in self.documents if not document.province_correct]

    @property
    def province_accuracy(self) -> float | None:
        return _ratio(len(self.documents) - len(self.wrong_provinces), len(self.documents))

    @property
    def predicted_statements(self) -> int:
        return sum(document.predicted_statements for document in self.documents)

    @property
    def flagged_statements(self) -> int:
        return sum(document.flagged_statements for document in self.documents)

    @property
    def wrong_predictions(self) -> int:
        return sum(document.wrong_predictions for document in self.documents)

    @property
    def flagged_errors(self) -> int:
        return sum(document.flagged_errors for document in self.documents)

    @property
    def flagged_share(self) -> float | None:
        """Share of predicted statements flagged for review: the reviewers' workload."""
        return _ratio(self.flagged_statements, self.predicted_statements)

    @property
    def errors_flagged_share(self) -> float | None:
        """Share of wrong predicted statements that carry a flag: how many mistakes a reviewer would see."""
        return _ratio(self.flagged_errors, self.wrong_predictions)

    def genre_summary(self) -> dict[str, dict]:
        return {
            genre: {
                "documents": sum(d.genre == genre for d in self.documents),
                "macro_f1": _macro_f1(labels),
                "labels": {label: score.to_dict() for label, score in labels.items()},
            }
            for genre, labels in self.by_genre.items()
        }

    def to_dict(self) -> dict:
        total = self.total
        baseline = self.baseline
        return {
            "split": self.split,
            "genres_selected": self.genres,
            "match_threshold": MATCH_THRESHOLD,
            "documents": len(self.documents),
            "labels": {label: score.to_dict() for label, score in self.labels.items()},
            "macro_f1": self.macro_f1,
            "micro_f1": total.f1,
            "genres": self.genre_summary() if self.has_genres else None,
            "baseline": None if baseline is None else {
                "rule": "will/plan/target -> goal; problem/difficult/lack/challenge -> challenge; "
                        "-ed or irregular past verb or a number -> achievement; else other",
                "scope": "all segments" if self.baseline_sees_all_segments else "exported statements only",
                "labels": {label: score.to_dict() for label, score in baseline.labels.items()},
                "macro_f1": baseline.macro_f1,
                "micro_f1": baseline.total.f1,
                "genres": baseline.genre_summary() if self.has_genres else None,
            },
            "counts": {
                "tp": total.tp, "fp": total.fp, "fn": total.fn, "gold": total.gold, "predicted": total.predicted,
            },
            "province": {
                "accuracy": self.province_accuracy,
                "correct": len(self.documents) - len(self.wrong_provinces),
                "documents": len(self.documents),
                "wrong": [
                    {
                        "document": d.document,
                        "source_file": d.source_file,
                        "gold": d.gold_province_code,
                        "predicted": d.predicted_province_code,
                    }
                    for d in self.wrong_provinces
                ],
            },
            "flags": {
                "predicted_statements": self.predicted_statements,
                "flagged_statements": self.flagged_statements,
                "flagged_share": self.flagged_share,
                "wrong_predictions": self.wrong_predictions,
                "flagged_errors": self.flagged_errors,
                "errors_flagged_share": self.errors_flagged_share,
            },
            "unscored_sources": self.unscored_sources,
            "warnings": self.warnings,
            "per_document": [document.to_dict() for document in self.documents],
        }


def evaluate(
    gold_dir: Path, pred_dir: Path, split: str | None = None, genres: list[str] | None = None
) -> Evaluation:
    """Score the dataset exported to ``pred_dir`` against the gold in ``gold_dir`` (one split, or all; the given
    genres, or all), and the keyword baseline on the same statement texts."""
    gold_documents = read_gold_jsonl(gold_dir / "documents.jsonl", ("document", "province_code", "split"))
    gold_statements = read_gold_jsonl(gold_dir / "statements.jsonl", ("document", "label", "text"))
    known = {row["document"] for row in gold_documents}
    orphans = sorted({row["document"] for row in gold_statements} - known)
    if orphans:
        raise EvaluationError(f"gold statements of documents missing from documents.jsonl: {', '.join(orphans)}")
    unknown_labels = sorted({str(row["label"]) for row in gold_statements} - set(REPORTED_KINDS))
    if unknown_labels:
        raise EvaluationError(f"gold labels must be {', '.join(REPORTED_KINDS)}; found {', '.join(unknown_labels)}")
    if split is not None:
        splits = sorted({str(row["split"]) for row in gold_documents})
        gold_documents = [row for row in gold_documents if row["split"] == split]
        if not gold_documents:
            raise EvaluationError(f"no gold document in split {split!r}; the gold has splits: {', '.join(splits)}")
    has_genres = any("genre" in row for row in gold_documents)
    for row in gold_documents:
        row["genre"] = str(row.get("genre") or DEFAULT_GENRE)
    selected = None
    if genres:
        selected = select_genres(genres, {row["genre"] for row in gold_documents})
        gold_documents = [row for row in gold_documents if row["genre"] in selected]

    all_statements = _read_predicted_statements(pred_dir / "statements.parquet")
    statements = all_statements[all_statements["kind"].isin(REPORTED_KINDS)]
    provinces = _read_predicted_provinces(pred_dir / "documents.csv")
    sources = sorted(set(statements["source_file"]) | set(provinces))
    by_name: dict[str, list[str]] = {}
    for source in sources:
        by_name.setdefault(file_name(source), []).append(source)

    in_scope = {row["document"] for row in gold_documents}
    warnings = [
        f"{name} is predicted from {len(paths)} files ({', '.join(paths)}); only {paths[0]} is scored"
        for name, paths in sorted(by_name.items())
        if name in in_scope and len(paths) > 1
    ]
    scored_sources = {by_name[name][0] for name in in_scope if name in by_name}
    gold_by_document: dict[str, list[dict]] = {}
    for row in gold_statements:
        gold_by_document.setdefault(row["document"], []).append(row)
    baseline_statements = all_statements.assign(kind=all_statements["text"].map(keyword_label), flagged=False)

    def score(predictions: pd.DataFrame) -> list[DocumentEvaluation]:
        predicted_by_source = {
            source: frame for source, frame in predictions[predictions["kind"].isin(REPORTED_KINDS)].groupby(
                "source_file", sort=False)
        }
        documents = []
        for row in sorted(gold_documents, key=lambda r: r["document"]):
            source = by_name.get(row["document"], [None])[0]
            predicted = predicted_by_source.get(source)
            documents.append(
                _evaluate_document(
                    row,
                    gold_by_document.get(row["document"], []),
                    [] if predicted is None else predicted.to_dict("records"),
                    source,
                    provinces.get(source) if source is not None else None,
                )
            )
        return documents

    unscored = [s for s in sources if s not in scored_sources]
    return Evaluation(
        split, score(statements), unscored, warnings, genres=selected, has_genres=has_genres,
        baseline=Evaluation(split, score(baseline_statements), unscored, genres=selected, has_genres=has_genres),
        baseline_sees_all_segments=bool((all_statements["kind"] == "other").any()),
    )


def select_genres(requested: list[str], known: set[str]) -> list[str]:
    """Expand ``wild`` and comma lists (``["press,memo", "tables"]``); refuse a genre the gold does not have."""
    names = [name.strip() for item in requested for name in item.split(",") if name.strip()]
    chosen: set[str] = set()
    for name in names:
        if name == WILD:
            chosen |= known - {DEFAULT_GENRE}
        elif name in known:
            chosen.add(name)
        else:
            raise EvaluationError(
                f"no gold document of genre {name!r} in scope; the gold has: {', '.join(sorted(known))} "
                f"(or '{WILD}' for all but {DEFAULT_GENRE})"
            )
    if not chosen:
        raise EvaluationError(f"no gold document in the genres selected ({', '.join(names) or 'none'})")
    return sorted(chosen)


def _evaluate_document(
    gold_document: dict, gold: list[dict], predicted: list[dict], source: str | None, province: str | None
) -> DocumentEvaluation:
    matches = match_statements([g["text"] for g in gold], [p["text"] for p in predicted])
    scores = {label: LabelScore() for label in REPORTED_KINDS}
    errors = []
    matched_gold = {m.gold_index for m in matches}
    matched_predicted = {m.predicted_index for m in matches}
    for m in matches:
        g, p = gold[m.gold_index], predicted[m.predicted_index]
        if g["label"] == p["kind"]:
            scores[g["label"]].tp += 1
            continue
        scores[g["label"]].fn += 1
        scores[p["kind"]].fp += 1
        errors.append(
            StatementError("wrong_label", g["label"], p["kind"], g["text"], p["text"], m.similarity, p["flagged"])
        )
    for index, p in enumerate(predicted):
        if index not in matched_predicted:
            scores[p["kind"]].fp += 1
            errors.append(StatementError("false_positive", None, p["kind"], None, p["text"], None, p["flagged"]))
    for index, g in enumerate(gold):
        if index not in matched_gold:
            scores[g["label"]].fn += 1
            errors.append(StatementError("false_negative", g["label"], None, g["text"], None, None, None))
    return DocumentEvaluation(
        document=gold_document["document"],
        split=gold_document.get("split"),
        format=gold_document.get("format"),
        source_file=source,
        gold_province_code=gold_document.get("province_code"),
        predicted_province_code=province,
        genre=gold_document.get("genre", DEFAULT_GENRE),
        scores=scores,
        errors=errors,
        predicted_statements=len(predicted),
        flagged_statements=sum(bool(p["flagged"]) for p in predicted),
        flagged_errors=sum(bool(e.flagged) for e in errors),  # a missed gold statement has no flag
    )


def file_name(source_file: str) -> str:
    return source_file.replace("\\", "/").rsplit("/", 1)[-1]


def read_gold_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise EvaluationError(f"gold file not found: {path}")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        missing = [key for key in required if not isinstance(row, dict) or key not in row]
        if missing:
            raise EvaluationError(f"{path}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    return rows


def _require(path: Path, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise EvaluationError(f"{path} lacks column(s) {', '.join(missing)}; is it a workreview export?")


def _read_predicted_statements(path: Path) -> pd.DataFrame:
    """The exported statements, ``other`` rows of an ``--all`` export included (the baseline relabels them)."""
    if not path.is_file():
        raise EvaluationError(f"predictions not found: {path} (run `workreview run` with --out pointing there)")
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise EvaluationError(f"cannot read {path}: {error}") from None
    _require(path, frame, ("source_file", "kind", "text", "flagged"))
    frame = frame.copy()
    frame["text"] = frame["text"].fillna("").astype(str)
    frame["flagged"] = frame["flagged"].fillna(False).astype(bool)
    return frame[["source_file", "kind", "text", "flagged"]]


def _read_predicted_provinces(path: Path) -> dict[str, str | None]:
    """``source_file -> province_code`` of the newest successfully read version of each file."""
    if not path.is_file():
        raise EvaluationError(f"predictions not found: {path} (run `workreview run` with --out pointing there)")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise EvaluationError(f"cannot read {path}: {error}") from None
    _require(path, frame, ("source_file", "province_code", "status", "version"))
    ok = frame[frame["status"] == "ok"].copy()
    ok["version"] = pd.to_numeric(ok["version"], errors="coerce")
    newest = ok.sort_values("version").groupby("source_file").tail(1)
    return {source: code or None for source, code in zip(newest["source_file"], newest["province_code"])}


def render_text(evaluation: Evaluation) -> str:
    """A plain-text report: scores per label, province attribution, flags, then every document."""
    total = evaluation.total
    scope = f"split {evaluation.split}" if evaluation.split else "all splits"
    if evaluation.genres:
        scope += f", genres {', '.join(evaluation.genres)}"
    lines = [
        f"Evaluation against the gold ({scope}): {len(evaluation.documents)} documents, "
        f"{total.gold} gold statements, {evaluation.predicted_statements} predicted "
        f"(matched when token F1 >= {MATCH_THRESHOLD})",
        "",
    ]
    header = ["label", "precision", "recall", "F1", "TP", "FP", "FN", "gold", "predicted"]
    rows = [
        [label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", s.tp, s.fp, s.fn, s.gold, s.predicted]
        for label, s in evaluation.labels.items()
    ]
    rows.append(["all (micro)", f"{total.precision:.3f}", f"{total.recall:.3f}", f"{total.f1:.3f}",
                 total.tp, total.fp, total.fn, total.gold, total.predicted])
    lines += _text_table(header, rows)
    lines += [f"macro-F1: {evaluation.macro_f1:.3f}", ""]
    baseline = evaluation.baseline
    if baseline is not None:
        seen = ("every segment of an --all export" if evaluation.baseline_sees_all_segments
                else "only the statements the model exported; export with --all to let it see every segment")
        lines += [
            f"Keyword baseline on the same statement texts ({seen}): macro-F1 {baseline.macro_f1:.3f} ("
            + ", ".join(f"{label} {score.f1:.3f}" for label, score in baseline.labels.items()) + ")",
            "",
        ]
    if evaluation.has_genres:
        baseline_genres = baseline.by_genre if baseline is not None else {}
        rows = []
        for genre, labels in evaluation.by_genre.items():
            documents = [d for d in evaluation.documents if d.genre == genre]
            rows.append([
                genre, len(documents), sum(d.total.gold for d in documents), f"{_macro_f1(labels):.3f}",
                *(f"{score.f1:.3f}" for score in labels.values()),
                f"{_macro_f1(baseline_genres[genre]):.3f}" if genre in baseline_genres else "",
            ])
        lines += ["Per genre (F1):"]
        lines += _text_table(["genre", "docs", "gold", "macro-F1", *REPORTED_KINDS, "baseline macro-F1"], rows)
        lines.append("")

    wrong = evaluation.wrong_provinces
    correct = len(evaluation.documents) - len(wrong)
    lines.append(
        f"Province attribution: {correct}/{len(evaluation.documents)} documents correct "
        f"({_percent(evaluation.province_accuracy)})"
    )
    for d in wrong:
        predicted = "not in predictions" if d.source_file is None else (d.predicted_province_code or "unresolved")
        lines.append(f"  wrong: {d.document}: gold {d.gold_province_code}, predicted {predicted}")
    lines += [
        "",
        f"Flags: {evaluation.flagged_statements} of {evaluation.predicted_statements} predicted statements flagged "
        f"({_percent(evaluation.flagged_share)}); {evaluation.flagged_errors} of {evaluation.wrong_predictions} "
        f"wrong predictions flagged ({_percent(evaluation.errors_flagged_share)})",
        "",
        "Per document:",
    ]
    rows = []
    for d in evaluation.documents:
        s = d.total
        rows.append([d.document, d.split or "", d.genre, s.gold, d.predicted_statements, s.tp, s.fp, s.fn,
                     f"{s.f1:.3f}", "ok" if d.province_correct else "WRONG"])
    lines += _text_table(["document", "split", "genre", "gold", "pred", "TP", "FP", "FN", "F1", "province"], rows)
    if evaluation.unscored_sources:
        lines += ["", f"Not scored (no gold document in scope): {len(evaluation.unscored_sources)} predicted file(s)"]
    lines += [f"Warning: {warning}" for warning in evaluation.warnings]
    return "\n".join(lines) + "\n"


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def _text_table(header: list[str], rows: list[list[object]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers, columns two spaces apart."""
    cells = [header] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
    return lines
