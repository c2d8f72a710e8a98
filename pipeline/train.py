"""Train the statement classifier from the gold corpus, calibrate it, and score it with the real evaluator.

Training data is the corpus segmented exactly as ``workreview run`` segments it: every statement of a split's
documents takes the gold label of the gold statement the evaluator would match it to (``match_statements``:
token F1 ≥ 0.5, one-to-one), ``other`` when none matches. The model thus learns on the statements it will see,
headings, letterhead and fragments included. Its context (section kind, block kind, lead-in, position) goes in
as marker words (``pipeline.nlp.context_markers``) chosen by the ``context_markers`` block of the config.

The model is trained on the train split only, for a fixed number of steps, with a second classifier of another
build (``pipeline.nlp.char_ngrams``) beside it. Its confidence is calibrated by cross-validation (as
scikit-learn's ``CalibratedClassifierCV(ensemble=False)`` does): models trained the same way on all but one fold
of the train + dev documents label the held-out fold, and the temperature, the review score's weights and its
threshold are fitted on those out-of-fold predictions — five times more held-out statements than dev alone,
which is too small for a threshold to carry over to new documents. The test split is only ever scored.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin
from thinc.api import Config

from pipeline.boundaries import Action, reshape
from pipeline.errors import ReadError
from pipeline.evaluate import DocumentEvaluation, Evaluation, evaluate, match_statements, read_gold_jsonl
from pipeline.extract import extract, statement_doc
from pipeline.flags import needs_review
from pipeline.nlp import (
    MODEL_DIR,
    MODELS_DIR,
    load_pipeline,
    model_choice,
    model_language,
    model_version,
    pipe_of,
)
from pipeline.nlp.calibration import (
    CalibratedCats,
    Calibration,
    ReliabilityBin,
    expected_calibration_error,
    fit_temperature,
    reliability,
)
from pipeline.nlp.char_ngrams import CharNgrams
from pipeline.nlp.context_markers import with_context
from pipeline.nlp.review_score import ReviewModel, fit_review_model, review_features
from pipeline.process import DocumentResult, normalized_text, process_file
from pipeline.read import read_document
from pipeline.records import StatementRecord
from pipeline.segment import Statement, segment
from pipeline.vocabulary import REPORTED_KINDS, StatementKind

DEFAULT_CONFIG = MODELS_DIR / "statement_classifier.cfg"
MODEL_NAME = "workreview_statements"
MODEL_VERSION = "1.3.1"
"""Bump when the training recipe changes; ``model_version`` adds a digest of the weights either way."""
CALIBRATION_FOLDS = 4
TARGET_ERRORS_FLAGGED = 0.8
MAX_FLAGGED_SHARE = 0.20
"""The review threshold is the lowest that flags ``TARGET_ERRORS_FLAGGED`` of the wrong out-of-fold predictions
while flagging at most ``MAX_FLAGGED_SHARE`` of the exported statements (every reason but notes counted), in the
template and in the wild documents alike: reviewers see most mistakes for the least work. The aim on new
documents (issue 12) is 80 % of the errors within 20 % of the statements. If no threshold reaches the target
within the share, the highest within it."""


@dataclass(slots=True)
class LabelledStatement:
    document: str
    statement: Statement
    label: str


@dataclass(frozen=True, slots=True)
class ReviewedExample:
    """A reviewer's label for a statement; it replaces the gold label of the same statement of the same document."""

    document: str
    text: str
    label: str


def document_genres(gold_dir: Path) -> dict[str, str]:
    """Each gold document's genre (``template`` for the corpus's original layouts; empty when the gold has none)."""
    documents = read_gold_jsonl(gold_dir / "documents.jsonl", ("document",))
    return {row["document"]: row.get("genre", "") for row in documents}


def split_documents(gold_dir: Path, split: str) -> list[str]:
    """The file names of the gold documents of one split, in a fixed order."""
    documents = read_gold_jsonl(gold_dir / "documents.jsonl", ("document", "split"))
    return sorted(row["document"] for row in documents if row["split"] == split)


def gold_by_document(gold_dir: Path) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in read_gold_jsonl(gold_dir / "statements.jsonl", ("document", "label", "text")):
        grouped.setdefault(row["document"], []).append(row)
    return grouped


def gold_labels(texts: list[str], gold: list[dict]) -> list[str]:
    """The label of each statement text under the evaluator's matching; ``other`` for the unmatched."""
    labels = ["other"] * len(texts)
    for match in match_statements([row["text"] for row in gold], texts):
        labels[match.predicted_index] = gold[match.gold_index]["label"]
    return labels


def labelled_statements(
    reports_dir: Path,
    gold_dir: Path,
    documents: list[str],
    extra_examples: Iterable[ReviewedExample] = (),
    boundary_edits: Mapping[str, list[Action]] | None = None,
) -> list[LabelledStatement]:
    """Read, segment and label ``documents`` (file names under ``reports_dir``); reviews override gold.

    ``boundary_edits`` (file name → reviewers' boundary actions, ``pipeline.boundaries``) reshape a document's
    statements first: the parts of a split and a merged statement are labelled by the gold like any other, a
    statement a reviewer added carries the kind they gave it."""
    gold = gold_by_document(gold_dir)
    reviewed = {(example.document, normalized_text(example.text)): example.label for example in extra_examples}
    labelled = []
    for name in documents:
        try:
            document = read_document(reports_dir / name, name)
        except ReadError:
            continue  # a scanned PDF without OCR: it teaches nothing and is scored as missed
        shaped = reshape(document.text, segment(document), (boundary_edits or {}).get(name, []))
        statements = [statement for statement, _ in shaped]
        labels = gold_labels([statement.text for statement in statements], gold.get(name, []))
        for (statement, given), label in zip(shaped, labels):
            label = reviewed.get((name, normalized_text(statement.text)), given or label)
            labelled.append(LabelledStatement(name, statement, label))
    return labelled


def context_features(config: Config) -> tuple[str, ...]:
    """The context the config's ``context_markers`` component writes (none if the pipeline has no such step)."""
    component = config["components"].get("context_markers")
    return tuple(component["features"]) if component else ()


def to_doc_bin(examples: list[LabelledStatement], nlp: Language, features: tuple[str, ...]) -> DocBin:
    """spaCy training docs: each statement's context markers and words, with one-hot ``cats``."""
    doc_bin = DocBin()
    for example in examples:
        doc = with_context(statement_doc(nlp, example.statement), features)
        doc.cats = {str(kind): float(kind == example.label) for kind in StatementKind}
        doc_bin.add(doc)
    return doc_bin


def train_textcat(
    config_path: Path,
    train: list[LabelledStatement],
    dev: list[LabelledStatement],
    work_dir: Path,
    overrides: dict | None = None,
) -> Path:
    """Run ``spacy train`` on the examples; returns the last checkpoint.

    The schedule is fixed (the config's ``max_steps``, no early stopping), so ``dev`` only feeds spaCy's progress
    table: a fold model must not pick its checkpoint on the documents it is then calibrated on."""
    config = spacy.util.load_config(config_path, overrides=overrides or {})
    features = context_features(config)
    own_tokenizer = config["nlp"].get("tokenizer")  # the Khmer model's; the English one has spaCy's default
    tokenizer = spacy.blank(
        config["nlp"]["lang"], config={"nlp": {"tokenizer": own_tokenizer}} if own_tokenizer else {}
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    to_doc_bin(train, tokenizer, features).to_disk(work_dir / "train.spacy")
    to_doc_bin(dev, tokenizer, features).to_disk(work_dir / "dev.spacy")
    paths = {"paths.train": str(work_dir / "train.spacy"), "paths.dev": str(work_dir / "dev.spacy")}
    spacy_train(config_path, work_dir / "output", overrides={**(overrides or {}), **paths})
    return work_dir / "output" / "model-last"


def package_model(
    checkpoint: Path, out_dir: Path, calibration: Calibration, train: list[LabelledStatement]
) -> None:
    """The shipped model: the checkpoint with its context markers switched on, calibrated cats added, and the
    character n-gram classifier fitted on ``train`` (the model's own training statements) behind them.

    It no longer carries the cue-phrase rules as a second opinion: on the wild genres their disagreement flagged
    26 % of the out-of-fold statements, only 17 % of them wrong (models/statement_classifier/README.md)."""
    nlp = spacy.load(checkpoint)
    if "context_markers" in nlp.disabled:
        nlp.enable_pipe("context_markers")
    khmer = getattr(nlp.tokenizer, "keeps_marker_words", False)
    nlp.add_pipe("calibrated_cats", after="textcat")
    pipe_of(nlp, "calibrated_cats", CalibratedCats).calibration = calibration
    nlp.add_pipe("char_ngrams", after="calibrated_cats")
    pipe_of(nlp, "char_ngrams", CharNgrams).fit(
        [example.statement.text for example in train], [example.label for example in train]
    )
    # Keep the config free of the temporary training paths, so the shipped files do not change between runs.
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    nlp.meta["name"] = MODEL_NAME + ("_km" if khmer else "")
    nlp.meta["version"] = MODEL_VERSION
    nlp.meta["description"] = "Labels statements of work-review reports as achievement, challenge, goal or other."
    nlp.meta.pop("performance", None)
    remove_model_files(out_dir)
    nlp.to_disk(out_dir)


NOT_MODEL_FILES = ("README.md", "scores.json", "scores.md")
"""What a model folder holds besides the model: hand-written notes and the last training's scores."""


def model_size(model_dir: Path) -> int:
    """Bytes of the model itself (``NOT_MODEL_FILES`` left out)."""
    return sum(
        path.stat().st_size for path in model_dir.rglob("*") if path.is_file() and path.name not in NOT_MODEL_FILES
    )


def remove_model_files(model_dir: Path) -> None:
    """Clear an earlier model from ``model_dir`` (hand-written files such as README.md stay), so no stale
    component folder survives a change of architecture. A folder that holds no model is left alone."""
    if not (model_dir / "config.cfg").is_file():
        return
    for path in model_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name in ("config.cfg", "meta.json", "tokenizer", "scores.json", "scores.md"):
            path.unlink()


@contextmanager
def using_model(model_dir: Path) -> Iterator[Language]:
    """Make ``load_pipeline`` (and so ``process_file``) use ``model_dir`` for its language for the duration."""
    language = model_language(model_dir)
    variable = model_choice(language)[0]
    previous = os.environ.get(variable)
    os.environ[variable] = str(model_dir)
    load_pipeline.cache_clear()
    try:
        yield load_pipeline(language)
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
        load_pipeline.cache_clear()


def run_pipeline(reports_dir: Path, documents: list[str]) -> list[DocumentResult]:
    return [process_file(reports_dir / name, name) for name in documents]


def exported_evaluation(results: list[DocumentResult], gold_dir: Path, split: str) -> Evaluation:
    """Store and export the results as ``workreview run`` does, then score the export with the evaluator."""
    from pipeline.store import connect, export, save_document

    with tempfile.TemporaryDirectory(prefix="workreview-score-") as out:
        con = connect(Path(out))
        try:
            for result in results:
                save_document(con, result)
            export(con, Path(out))
        finally:
            con.close()
        return evaluate(gold_dir, Path(out), split=split)


def exported_rows_with_correctness(
    results: list[DocumentResult], gold_dir: Path
) -> list[tuple[StatementRecord, bool]]:
    """Every exported (non-``other``) statement and whether the evaluator counts it as a true positive."""
    gold = gold_by_document(gold_dir)
    rows = []
    for result in results:
        exported = [row for row in result.statements if row.kind in REPORTED_KINDS]
        labels = gold_labels([row.text for row in exported], gold.get(result.document.source_file, []))
        rows += [(row, row.kind == label) for row, label in zip(exported, labels)]
    return rows


LABEL_DOUBTS = ("low_confidence", "likely_wrong")
"""The reasons whose threshold the calibration fits; every other reason a row carries counts as it is."""


def _other_flag(row: StatementRecord) -> bool:
    """Whether an exported statement is flagged for a reason other than a doubt about its label."""
    return needs_review([reason for reason in row.flag_reasons.split(";") if reason and reason not in LABEL_DOUBTS])


def _is_flagged(row: StatementRecord, threshold: float) -> bool:
    """Whether an exported statement is flagged at ``threshold``: low confidence, or any other reason it carries."""
    return row.confidence < threshold or _other_flag(row)


def _fit_cut(
    cuts: Iterable[float],
    flags_at: Callable[[float], list[bool]],
    rows: list[tuple[StatementRecord, bool]],
    families: list[str] | None,
    target: float,
    max_share: float,
) -> float | None:
    """The first of ``cuts`` (ordered from fewest to most flags) at which ``target`` of the wrong rows are flagged
    within ``max_share`` in every family; else the last within the share; ``None`` if even the first is over."""
    groups: dict[str, list[int]] = {}
    for index in range(len(rows)):
        groups.setdefault(families[index] if families else "", []).append(index)
    best = None
    for cut in cuts:
        flags = flags_at(cut)
        within, caught = True, True
        for members in groups.values():
            wrong = sum(not rows[i][1] for i in members)
            within &= sum(flags[i] for i in members) <= max_share * len(members)
            caught &= sum(flags[i] and not rows[i][1] for i in members) >= target * wrong
        if not within:
            break
        best = cut
        if caught:
            break
    return best


def choose_threshold(
    rows: list[tuple[StatementRecord, bool]],
    target: float = TARGET_ERRORS_FLAGGED,
    max_share: float = MAX_FLAGGED_SHARE,
    families: list[str] | None = None,
) -> float:
    """The low-confidence threshold for ``(row, correct)`` pairs of exported statements (see ``MAX_FLAGGED_SHARE``).

    ``families`` names each row's kind of document (``template``, ``wild``); the target and the budget then hold
    in every family on its own. The model is less sure of itself on wild documents, so a threshold fitted on all
    rows pooled (two thirds template) flagged a third of the wild ones."""
    cuts = [step / 100 for step in range(30, 100)]
    best = _fit_cut(cuts, lambda t: [_is_flagged(row, t) for row, _ in rows], rows, families, target, max_share)
    return best or 0.0


REVIEW_CUTS = [round(1 - step / 1000, 3) for step in range(5, 1000, 5)]
"""The review-score thresholds tried, from 0.995 down to 0.005."""


def choose_review_threshold(
    rows: list[tuple[StatementRecord, bool]],
    doubts: list[float],
    families: list[str] | None = None,
    target: float = TARGET_ERRORS_FLAGGED,
    max_share: float = MAX_FLAGGED_SHARE,
) -> float:
    """The review-score threshold (flag at or above it) by the rule of ``choose_threshold``, for the out-of-fold
    ``doubts`` (review scores) of the rows; 1.0 (no ``likely_wrong`` flag) if the other reasons fill the budget."""
    others = [_other_flag(row) for row, _ in rows]
    best = _fit_cut(
        REVIEW_CUTS,
        lambda cut: [doubt >= cut or other for doubt, other in zip(doubts, others)],
        rows,
        families,
        target,
        max_share,
    )
    return 1.0 if best is None else best


def row_review_features(row: StatementRecord, second: CharNgrams) -> list[float]:
    """The review score's features of an exported statement, the n-gram classifier's opinion read from ``second``."""
    scores = {
        "achievement": row.score_achievement,
        "challenge": row.score_challenge,
        "goal": row.score_goal,
        "other": row.score_other,
    }
    return review_features(str(row.kind), scores, second.predict(row.text), row.text)


def fit_review(
    fold_rows: list[list[tuple[StatementRecord, bool]]],
    fold_features: list[list[list[float]]],
    families: list[str],
) -> tuple[ReviewModel, list[float]]:
    """The review score fitted on every fold's rows, its threshold chosen on out-of-fold scores: each fold's rows
    scored by a fit on the other folds. Returns the model and those out-of-fold scores."""
    doubts: list[float] = []
    for index, features in enumerate(fold_features):
        others = [(f, correct) for k in range(len(fold_rows)) if k != index
                  for f, (_, correct) in zip(fold_features[k], fold_rows[k])]
        if not features:
            continue
        held = fit_review_model([f for f, _ in others], [not correct for _, correct in others]) if others else None
        doubts += [held.score(f) if held else 0.0 for f in features]
    pooled = [row for rows in fold_rows for row in rows]
    every = [f for features in fold_features for f in features]
    model = fit_review_model(every, [not correct for _, correct in pooled])
    threshold = choose_review_threshold(pooled, doubts, families)
    return ReviewModel(model.means, model.scales, model.weights, model.bias, threshold), doubts


def document_family(genre: str) -> str:
    """``template`` for the corpus's original layouts, ``wild`` for every other genre."""
    return "template" if genre in ("template", "") else "wild"


def statement_reliability(results: list[DocumentResult], gold_dir: Path) -> list[ReliabilityBin]:
    """Confidence against correctness over every segmented statement (``other`` included)."""
    gold = gold_by_document(gold_dir)
    confidences, correct = [], []
    for result in results:
        rows = result.statements
        labels = gold_labels([row.text for row in rows], gold.get(result.document.source_file, []))
        confidences += [row.confidence for row in rows]
        correct += [row.kind == label for row, label in zip(rows, labels)]
    return reliability(confidences, correct)


def words_per_second(nlp: Language, statements: list[Statement], repeats: int = 3) -> float:
    """Extraction speed (context markers, classifier, calibration) on these statements; best of a few runs."""
    words = sum(len(statement.text.split()) for statement in statements)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        extract(statements, nlp)
        best = min(best, time.perf_counter() - started)
    return words / best if best else 0.0


def document_folds(documents: list[str], folds: int, genres: dict[str, str] | None = None) -> list[list[str]]:
    """The documents dealt into ``folds`` by genre, format, then name: each fold gets a share of every genre (the
    out-of-fold predictions the flags are fitted on must include the wild ones) and of PDFs, DOCX and text."""
    genres = genres or {}
    ordered = sorted(documents, key=lambda name: (genres.get(name, ""), Path(name).suffix.lower(), name))
    return [ordered[index::folds] for index in range(folds)]


def raw_scores(checkpoint: Path, examples: list[LabelledStatement]) -> list[dict[str, float]]:
    """The uncalibrated class probabilities of a trained checkpoint for ``examples``."""
    nlp = spacy.load(checkpoint)
    features = context_features(nlp.config)
    docs = [with_context(statement_doc(nlp, example.statement), features) for example in examples]
    return [dict(doc.cats) for doc in nlp.pipe(docs, batch_size=512)]


@dataclass
class FoldResult:
    documents: list[str]
    statements: int
    exported: int
    wrong: int
    flagged: int
    flagged_errors: int


@dataclass
class CrossValidation:
    """What the out-of-fold predictions the calibration was fitted on show, per fold."""

    folds: list[FoldResult]

    def pooled(self) -> FoldResult:
        """All folds as one."""
        return FoldResult(
            documents=[name for fold in self.folds for name in fold.documents],
            statements=sum(fold.statements for fold in self.folds),
            exported=sum(fold.exported for fold in self.folds),
            wrong=sum(fold.wrong for fold in self.folds),
            flagged=sum(fold.flagged for fold in self.folds),
            flagged_errors=sum(fold.flagged_errors for fold in self.folds),
        )


def fold_result(
    documents: list[str], statements: int, rows: list[tuple[StatementRecord, bool]], flags: list[bool]
) -> FoldResult:
    return FoldResult(
        documents=documents,
        statements=statements,
        exported=len(rows),
        wrong=sum(not correct for _, correct in rows),
        flagged=sum(flags),
        flagged_errors=sum(flag and not correct for flag, (_, correct) in zip(flags, rows)),
    )


def cross_validated_calibration(
    reports_dir: Path,
    gold_dir: Path,
    labelled: dict[str, list[LabelledStatement]],
    config_path: Path,
    work_dir: Path,
    overrides: dict | None = None,
    folds: int = CALIBRATION_FOLDS,
) -> tuple[Calibration, CrossValidation]:
    """Temperature, low-confidence threshold and review score fitted on out-of-fold predictions over the
    ``labelled`` documents.

    Each fold's model is trained with the shipped recipe on the other folds; the temperature is fitted on the
    pooled raw scores of every held-out statement, then each fold model, so calibrated, runs the real pipeline
    on its held-out documents and the thresholds are chosen on the pooled exported rows (``fit_review``). The
    cross-validation table counts the review score's flags."""
    documents = list(labelled)
    held_out = []
    genres = document_genres(gold_dir)
    for index, fold in enumerate(document_folds(documents, min(folds, len(documents)), genres)):
        train = [example for name in documents if name not in fold for example in labelled[name]]
        held = [example for name in fold for example in labelled[name]]
        checkpoint = train_textcat(config_path, train, held, work_dir / f"fold-{index}", overrides)
        held_out.append((fold, held, train, checkpoint, raw_scores(checkpoint, held)))
    temperature = fit_temperature(
        [scores for *_, fold_scores in held_out for scores in fold_scores],
        [example.label for _, held, *_ in held_out for example in held],
    )
    fold_rows, fold_features = [], []
    for index, (fold, _held, train, checkpoint, _) in enumerate(held_out):
        model_dir = work_dir / f"fold-{index}-model"
        package_model(checkpoint, model_dir, Calibration(temperature=temperature), train)
        with using_model(model_dir) as nlp:
            rows = exported_rows_with_correctness(run_pipeline(reports_dir, fold), gold_dir)
            second = pipe_of(nlp, "char_ngrams", CharNgrams)
            fold_rows.append(rows)
            fold_features.append([row_review_features(row, second) for row, _ in rows])
    pooled = [row for rows in fold_rows for row in rows]
    families = [document_family(genres.get(row.source_file, "")) for row, _ in pooled]
    threshold = choose_threshold(pooled, families=families)
    review, doubts = fit_review(fold_rows, fold_features, families)
    fitted_on = f"{len(held_out)}-fold cross-validation over {len(documents)} train + dev documents"
    results, start = [], 0
    for (fold, held, *_), rows in zip(held_out, fold_rows):
        flags = [doubt >= review.threshold or _other_flag(row) for doubt, (row, _) in zip(doubts[start:], rows)]
        results.append(fold_result(fold, len(held), rows, flags))
        start += len(rows)
    return Calibration(temperature, threshold, fitted_on, asdict(review)), CrossValidation(results)


@dataclass
class GroupScores:
    """One genre's (or all wild genres') share of a split's evaluation."""

    documents: int
    macro_f1: float
    labels: dict[str, float]
    predicted_statements: int
    flagged_share: float | None
    errors_flagged_share: float | None


@dataclass
class SplitScores:
    evaluation: dict
    reliability: list[dict]
    expected_calibration_error: float
    genres: dict[str, GroupScores] = field(default_factory=dict)
    """``wild`` (every genre but ``template``), then each genre on its own."""


@dataclass
class TrainingReport:
    model_dir: str
    model_version: str
    config: str
    train_documents: int
    train_statements: dict[str, int]
    temperature: float
    low_confidence_threshold: float
    size_bytes: int
    words_per_second: float
    seconds: float
    calibration: str = ""
    review_threshold: float | None = None
    """The ``likely_wrong`` threshold on the review score (``pipeline.nlp.review_score``)."""
    cross_validation: CrossValidation | None = None
    splits: dict[str, SplitScores] = field(default_factory=dict)

    def macro_f1(self, split: str) -> float:
        return self.splits[split].evaluation["macro_f1"]


def genre_scores(evaluation: Evaluation, genres: dict[str, str]) -> dict[str, GroupScores]:
    """The evaluation cut by genre: ``wild`` (all but the template corpus) first, then every genre."""
    groups: dict[str, list[DocumentEvaluation]] = {}
    for document in evaluation.documents:
        genre = genres.get(document.document, "")
        if genre and genre != "template":
            groups.setdefault("wild", []).append(document)
        groups.setdefault(genre or "unknown", []).append(document)
    scores = {}
    for name, documents in sorted(groups.items(), key=lambda item: (item[0] != "wild", item[0])):
        group = Evaluation(evaluation.split, documents)
        scores[name] = GroupScores(
            documents=len(documents),
            macro_f1=round(group.macro_f1, 4),
            labels={str(label): round(score.f1, 4) for label, score in group.labels.items()},
            predicted_statements=group.predicted_statements,
            flagged_share=group.flagged_share,
            errors_flagged_share=group.errors_flagged_share,
        )
    return scores


def split_scores(results: list[DocumentResult], gold_dir: Path, split: str) -> SplitScores:
    evaluation = exported_evaluation(results, gold_dir, split)
    bins = statement_reliability(results, gold_dir)
    summary = evaluation.to_dict()
    summary.pop("per_document")
    return SplitScores(
        evaluation=summary,
        reliability=[asdict(b) for b in bins],
        expected_calibration_error=expected_calibration_error(bins),
        genres=genre_scores(evaluation, document_genres(gold_dir)),
    )


def train_statement_classifier(
    reports_dir: Path,
    gold_dir: Path,
    out_dir: Path = MODEL_DIR,
    config_path: Path = DEFAULT_CONFIG,
    overrides: dict | None = None,
    extra_examples: Iterable[ReviewedExample] = (),
    boundary_edits: Mapping[str, list[Action]] | None = None,
    documents: dict[str, list[str]] | None = None,
    score_splits: tuple[str, ...] = ("dev", "test"),
) -> TrainingReport:
    """Train on the train split, calibrate by cross-validation over train + dev, score on ``score_splits``.

    ``documents`` narrows the splits to the named files (a quick run, the tests); ``extra_examples`` are
    reviewers' labels that override gold for the same statement, ``boundary_edits`` their statement boundaries.
    """
    started = time.perf_counter()
    documents = documents or {split: split_documents(gold_dir, split) for split in ("train", "dev", "test")}
    extra_examples = list(extra_examples)
    labelled = {
        name: labelled_statements(reports_dir, gold_dir, [name], extra_examples, boundary_edits)
        for name in documents["train"] + documents["dev"]
    }
    train = [example for name in documents["train"] for example in labelled[name]]
    dev = [example for name in documents["dev"] for example in labelled[name]]
    with tempfile.TemporaryDirectory(prefix="workreview-train-") as work:
        calibration, cross_validation = cross_validated_calibration(
            reports_dir, gold_dir, labelled, config_path, Path(work) / "cross-validation", overrides
        )
        checkpoint = train_textcat(config_path, train, dev, Path(work), overrides)
        package_model(checkpoint, out_dir, calibration, train)

    report = TrainingReport(
        model_dir=str(out_dir),
        model_version="",
        config=str(config_path),
        train_documents=len(documents["train"]),
        train_statements={str(kind): sum(e.label == kind for e in train) for kind in StatementKind},
        temperature=calibration.temperature,
        low_confidence_threshold=calibration.low_confidence_threshold,
        size_bytes=model_size(out_dir),
        words_per_second=0.0,
        seconds=0.0,
        calibration=calibration.fitted_on,
        review_threshold=calibration.review.get("threshold"),
        cross_validation=cross_validation,
    )
    with using_model(out_dir) as nlp:
        report.model_version = model_version(nlp)
        report.words_per_second = round(words_per_second(nlp, [example.statement for example in dev]))
        for split in score_splits:
            report.splits[split] = split_scores(run_pipeline(reports_dir, documents[split]), gold_dir, split)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def write_scores(report: TrainingReport, out_dir: Path) -> None:
    """``scores.json`` and ``scores.md`` next to the model: what it scores and how far its confidence holds."""
    (out_dir / "scores.json").write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    (out_dir / "scores.md").write_text(render_scores(report), encoding="utf-8")


def render_scores(report: TrainingReport) -> str:
    lines = [
        f"# Scores of `{report.model_version}`",
        "",
        f"Written by `workreview train` (config `{Path(report.config).name}`); trained on {report.train_documents} "
        f"train documents ({', '.join(f'{n} {label}' for label, n in report.train_statements.items())} statements).",
        f"Model size {report.size_bytes / 1e6:.2f} MB; extraction speed {report.words_per_second:,.0f} words/s "
        f"(dev statements, one CPU thread); temperature {report.temperature}; review-score threshold "
        f"{report.review_threshold} (`likely_wrong`; low-confidence threshold {report.low_confidence_threshold} for "
        f"comparison; all fitted by {report.calibration}); {report.seconds:.0f} s to train "
        "and score.",
    ]
    if report.cross_validation:
        lines += render_cross_validation(report.cross_validation, report.review_threshold)
    for split, scores in report.splits.items():
        evaluation = scores.evaluation
        flags = evaluation["flags"]
        lines += [
            "",
            f"## {split} ({evaluation['documents']} documents, scored by `pipeline.evaluate` on the exported run)",
            "",
            "| label | precision | recall | F1 | TP | FP | FN |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, score in evaluation["labels"].items():
            lines.append(
                f"| {label} | {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} | "
                f"{score['tp']} | {score['fp']} | {score['fn']} |"
            )
        lines += [
            "",
            f"macro-F1 **{evaluation['macro_f1']:.3f}**, micro-F1 {evaluation['micro_f1']:.3f}. "
            f"Flags: {flags['flagged_statements']} of {flags['predicted_statements']} exported statements flagged "
            f"({_share(flags['flagged_share'])}); {flags['flagged_errors']} of {flags['wrong_predictions']} wrong "
            f"predictions flagged ({_share(flags['errors_flagged_share'])}).",
        ]
        lines += render_genres(scores.genres)
        lines += [
            "",
            f"Reliability (every segmented statement, `other` included; expected calibration error "
            f"{scores.expected_calibration_error:.3f}):",
            "",
            "| confidence | statements | mean confidence | accuracy |",
            "|---|---|---|---|",
        ]
        for b in scores.reliability:
            mean = "" if b["mean_confidence"] is None else f"{b['mean_confidence']:.3f}"
            accuracy = "" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
            lines.append(f"| {b['low']:.2f}–{b['high']:.2f} | {b['count']} | {mean} | {accuracy} |")
    return "\n".join(lines) + "\n"


def render_genres(genres: dict[str, GroupScores]) -> list[str]:
    """The split's scores per genre (``wild``: all genres but the template corpus)."""
    if not genres:
        return []
    lines = [
        "",
        "| genre | documents | macro-F1 | achievement F1 | challenge F1 | goal F1 | flagged | errors flagged |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for genre, group in genres.items():
        f1 = " | ".join(f"{group.labels.get(str(label), 0.0):.3f}" for label in REPORTED_KINDS)
        lines.append(
            f"| {genre} | {group.documents} | {group.macro_f1:.3f} | {f1} | "
            f"{_share(group.flagged_share)} | {_share(group.errors_flagged_share)} |"
        )
    return lines


def render_cross_validation(cross_validation: CrossValidation, threshold: float | None) -> list[str]:
    """The out-of-fold predictions the temperature and the threshold were fitted on, fold by fold."""
    pooled = cross_validation.pooled()
    lines = [
        "",
        f"## Calibration: out-of-fold predictions ({len(cross_validation.folds)} folds over "
        f"{len(pooled.documents)} train + dev documents)",
        "",
        "Each fold's documents labelled by a model trained the same way on the other folds; the temperature and "
        f"the review score's threshold ({threshold}) are fitted on all folds together; the review score of each "
        "fold's rows comes from a fit on the other folds.",
        "",
        "| fold | documents | statements | exported | wrong | flagged | errors flagged |",
        "|---|---|---|---|---|---|---|",
    ]
    named = [(str(number), fold) for number, fold in enumerate(cross_validation.folds, 1)] + [("**all**", pooled)]
    for name, fold in named:
        lines.append(
            f"| {name} | {len(fold.documents)} | {fold.statements} | {fold.exported} | {fold.wrong} | "
            f"{fold.flagged} ({_share(_ratio(fold.flagged, fold.exported))}) | "
            f"{fold.flagged_errors} ({_share(_ratio(fold.flagged_errors, fold.wrong))}) |"
        )
    return lines


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
