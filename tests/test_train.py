"""The trained statement classifier: labels from the gold, reproducible training, the shipped model."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import spacy
from conftest import SAMPLE_REPORTS
from record_fixtures import statement_record

import pipeline.model_choice
from pipeline.document import Block, BlockKind, Document
from pipeline.errors import ModelUnavailable
from pipeline.extract import classifier_doc, extract, statement_doc
from pipeline.flags import review_policy, statement_flags
from pipeline.nlp import MODEL_DIR, MODEL_ENV, load_pipeline, model_version
from pipeline.nlp.calibration import fit_temperature, reliability, scale
from pipeline.nlp.context_markers import with_context
from pipeline.segment import segment
from pipeline.train import (
    ReviewedExample,
    choose_threshold,
    document_folds,
    gold_labels,
    labelled_statements,
    train_statement_classifier,
)

GOLD = SAMPLE_REPORTS / "gold"
QUICK = {"training.max_steps": 40, "training.eval_frequency": 20}
"""Enough steps to learn something from three documents in a few seconds."""


def test_statements_take_the_label_of_the_gold_statement_the_evaluator_would_match():
    texts = [
        "The district built 12 km of rural road.",
        "Built 12 km.",  # near the road statement, but one-to-one: the full sentence matches it better
        "Staff shortages remained a problem in the health centres.",
        "Annex 1",
    ]
    gold = [
        {"text": "Staff shortages remained a problem in health centres.", "label": "challenge"},
        {"text": "The district built 12 km of rural road", "label": "achievement"},
    ]
    assert gold_labels(texts, gold) == ["achievement", "other", "challenge", "other"]


def test_a_reviewed_label_replaces_the_gold_one_for_the_same_statement(tmp_path: Path):
    reports, gold_dir = tmp_path / "reports", tmp_path / "gold"
    reports.mkdir()
    gold_dir.mkdir()
    (reports / "r.txt").write_text(
        "I. ACHIEVEMENTS\n\nThe district built 12 km of rural road. Rice yields fell sharply in the north.\n",
        encoding="utf-8",
    )
    rows = [
        {"document": "r.txt", "label": "achievement", "text": "The district built 12 km of rural road."},
        {"document": "r.txt", "label": "achievement", "text": "Rice yields fell sharply in the north."},
    ]
    (gold_dir / "statements.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    review = ReviewedExample("r.txt", "rice yields fell  sharply in the north.", "challenge")

    labelled = labelled_statements(reports, gold_dir, ["r.txt"], extra_examples=[review])

    assert [(e.statement.text, e.label) for e in labelled] == [
        ("The district built 12 km of rural road.", "achievement"),
        ("Rice yields fell sharply in the north.", "challenge"),
    ]
    assert labelled[0].statement.section_kind == "achievements"


@pytest.mark.slow
def test_training_twice_with_the_same_seed_gives_the_same_model_and_scores(tmp_path: Path):
    documents = {"train": ["PreyNob_District_Report_2020.txt", "dangkao-2020-summary.txt"],
                 "dev": ["svay_rieng_review2020.txt"]}
    reports = [
        train_statement_classifier(SAMPLE_REPORTS, GOLD, tmp_path / name, overrides=QUICK, documents=documents,
                                   score_splits=("dev",))
        for name in ("first", "second")
    ]
    first, second = reports
    assert first.model_version == second.model_version  # includes the digest of the weights and calibration
    assert first.splits["dev"].evaluation == second.splits["dev"].evaluation
    assert (first.temperature, first.low_confidence_threshold) == (second.temperature, second.low_confidence_threshold)
    assert 0.0 < first.low_confidence_threshold < 1.0
    labels = first.splits["dev"].evaluation["labels"]
    assert sum(score["tp"] for score in labels.values()) > 0  # it learned something from three documents


def test_the_shipped_model_loads_offline_and_labels_plain_statements(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    nlp = spacy.load(MODEL_DIR)
    goal = nlp("The district will build 3 schools in 2021.").cats
    challenge = nlp("Rice yields remained limited due to drought.").cats
    assert max(goal, key=goal.get) == "goal"
    assert max(challenge, key=challenge.get) == "challenge"
    for cats in (goal, challenge):
        assert all(0.0 <= value <= 1.0 for value in cats.values())
        assert sum(cats.values()) == pytest.approx(1.0)


def test_the_pipeline_uses_the_shipped_model_unless_told_otherwise(monkeypatch, tmp_path: Path):
    document = Document(
        source_file="x.txt",
        format="txt",
        blocks=[Block(BlockKind.PARAGRAPH, "The district will build 3 schools in 2021. Rice yields remained limited.")],
    ).assemble()
    monkeypatch.delenv(MODEL_ENV, raising=False)
    load_pipeline.cache_clear()
    try:
        nlp = load_pipeline()
        assert model_version(nlp).startswith("workreview_statements-")
        assert not review_policy(nlp).section_mismatch
        extractions = extract(segment(document), nlp)
        assert [e.kind for e in extractions] == ["goal", "challenge"]
        assert all(0.0 <= e.confidence <= 1.0 for e in extractions)
        # The shipped model carries no second opinion, so no statement is flagged for a disagreement with the rules.
        assert [e.cue_kind for e in extractions] == [None, None]

        monkeypatch.setenv(MODEL_ENV, "rules")
        load_pipeline.cache_clear()
        assert model_version(load_pipeline()).startswith("workreview_rules-")

        monkeypatch.setenv(MODEL_ENV, "/no/such/model")
        load_pipeline.cache_clear()
        with pytest.raises(ModelUnavailable, match="WORKREVIEW_MODEL"):
            load_pipeline()

        # A missing shipped model is an error, never a quiet fall-back to the rules.
        monkeypatch.delenv(MODEL_ENV)
        monkeypatch.setattr(pipeline.model_choice, "MODEL_DIR", tmp_path / "statement_classifier")
        load_pipeline.cache_clear()
        with pytest.raises(ModelUnavailable, match="shipped model"):
            load_pipeline()
    finally:
        load_pipeline.cache_clear()


def test_statements_tokenized_behind_their_markers_read_as_markers_put_in_front_of_their_words():
    document = Document(
        source_file="x.txt",
        format="txt",
        blocks=[
            Block(BlockKind.HEADING, "2. Goals for 2021"),
            Block(BlockKind.PARAGRAPH, "In 2021 the district will focus on the following priorities:"),
            Block(BlockKind.LIST_ITEM, "Repair 12 km (NR-33) of roads, sec=x and U.S.-funded wells."),
            Block(BlockKind.TABLE_ROW, "Wells drilled | 40 | 35 | Below target"),
        ],
    ).assemble()
    nlp = load_pipeline()
    markers = nlp.get_pipe("context_markers")
    for statement in segment(document):
        once = classifier_doc(nlp, statement, markers)
        twice = with_context(statement_doc(nlp, statement), markers.features)
        assert [(t.text, t.whitespace_) for t in once] == [(t.text, t.whitespace_) for t in twice]
        assert once._.markers == twice._.markers > 0
        assert nlp(once).cats == pytest.approx(nlp(twice).cats)


def test_the_rules_as_second_opinion_name_their_kind_and_leave_the_model_scores_alone():
    rules = spacy.blank("en")
    rules.add_pipe("statement_cues")
    opinion = spacy.blank("en")
    opinion.add_pipe("statement_cues", config={"second_opinion": True})
    text = "Shortages of teachers delayed the opening of two schools."
    cats = rules(text).cats
    doc = opinion(text)
    assert doc._.cue_kind == max(cats, key=cats.get) == "challenge"
    assert doc.cats == {}


def test_a_statement_the_rules_label_differently_is_flagged_for_review():
    def reasons(kind: str, cue_kind: str | None) -> list[str]:
        return statement_flags(kind=kind, confidence=0.99, section_kind="achievements", cue_kind=cue_kind,
                               word_count=12, document_unresolved=[], partial_document=False)

    assert reasons("achievement", "challenge") == ["cues_disagree"]
    assert reasons("achievement", "achievement") == []
    assert reasons("achievement", None) == []  # a pipeline without the second opinion
    assert reasons("other", "goal") == []  # not exported, so not in the review queue


def test_cross_validation_folds_cover_every_document_once_and_mix_the_formats():
    documents = [f"r{i}.{ext}" for i in range(6) for ext in ("pdf", "docx", "txt")]
    folds = document_folds(documents, 4)
    assert sorted(name for fold in folds for name in fold) == sorted(documents)
    assert [len(fold) for fold in folds] == [5, 5, 4, 4]
    assert all({Path(name).suffix for name in fold} == {".pdf", ".docx", ".txt"} for fold in folds)


def test_temperature_softens_an_over_confident_classifier_without_changing_its_answers():
    # Says 0.95 every time but is right only 3 times in 5.
    scores = [{"goal": 0.95, "other": 0.05}] * 3 + [{"goal": 0.95, "other": 0.05}] * 2
    labels = ["goal"] * 3 + ["other"] * 2
    temperature = fit_temperature(scores, labels)
    assert temperature > 1.0
    calibrated = scale(scores[0], temperature)
    assert max(calibrated, key=calibrated.get) == "goal"
    assert calibrated["goal"] == pytest.approx(0.6, abs=0.05)
    bins = reliability([calibrated["goal"]] * 5, [True, True, True, False, False])
    (filled,) = [b for b in bins if b.count]
    assert filled.count == 5 and filled.accuracy == pytest.approx(0.6)


def test_the_review_threshold_is_the_lowest_that_catches_the_target_share_of_errors_within_the_budget():
    confidences = [0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.90, 0.92, 0.95]
    wrong = {0.25, 0.45, 0.95}
    rows = [
        (statement_record("s", "d", "a.txt", "Built it.", confidence=c, flag_reasons="too_short" if c == 0.95 else ""),
         c not in wrong)
        for c in confidences
    ]
    # Catching 70 % of the 3 errors takes all three: the too-short one plus those at 0.25 and 0.45.
    assert choose_threshold(rows, target=0.7, max_share=0.5) == pytest.approx(0.46)
    # With room for only 3 flags, the threshold stops just before a fourth statement would be flagged.
    assert choose_threshold(rows, target=0.7, max_share=0.3) == pytest.approx(0.45)
