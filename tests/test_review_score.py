"""The ``likely_wrong`` flag: a second, character-based classifier and the review score that weighs it."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from record_fixtures import statement_record

from pipeline.flags import FLAG_REASONS, ReviewPolicy, needs_review, review_policy, statement_flags
from pipeline.nlp import MODEL_DIR
from pipeline.nlp.char_ngrams import CharNgrams
from pipeline.nlp.review_score import ReviewModel, fit_review_model, review_features
from pipeline.train import choose_review_threshold

TEXTS = [
    ("The district built 12 km of rural road.", "achievement"),
    ("The commune repaired 4 wells and built 2 bridges.", "achievement"),
    ("Teacher shortages remained a serious problem.", "challenge"),
    ("A shortage of nurses delayed the clinic's opening.", "challenge"),
    ("The province will build 3 schools next year.", "goal"),
    ("The district plans to pave 20 km of road in 2022.", "goal"),
    ("Annex 2: list of participants", "other"),
]


def test_the_character_ngram_classifier_reads_word_forms_it_has_seen_and_survives_a_round_trip(tmp_path: Path):
    model = CharNgrams().fit([text for text, _ in TEXTS], [label for _, label in TEXTS])
    shortage = model.predict("Shortages of doctors remained a problem.")
    assert max(shortage, key=shortage.__getitem__) == "challenge"
    plan = model.predict("The commune will build a market next year.")
    assert max(plan, key=plan.__getitem__) == "goal"
    assert sum(plan.values()) == pytest.approx(1.0)
    model.to_disk(tmp_path / "char_ngrams")
    again = CharNgrams().from_disk(tmp_path / "char_ngrams")
    assert again.predict("Shortages of doctors remained a problem.") == pytest.approx(shortage)


def test_the_character_ngram_classifier_reads_no_proper_names():
    model = CharNgrams().fit(
        [text for text, _ in TEXTS] + ["Floods hit Kampot district."], [label for _, label in TEXTS] + ["challenge"]
    )
    seen = model.predict("The commune built a bridge in Kampot district.")
    assert model.predict("The commune built a bridge in Tuol Krasang district.") == seen
    assert model.predict("The commune built a bridge in Prey Kdei district.") == seen
    # A capital at the start of a sentence does not make a common word a name.
    assert model.predict("Shortages of doctors remained.") == model.predict("shortages of doctors remained.")


def test_the_shipped_second_classifier_gives_same_form_sentences_the_same_opinion_whatever_the_village():
    nlp = spacy.load(MODEL_DIR)
    opinions = {
        tuple(nlp(f"The commune council repaired the well in {village} village.")._.second_cats.values())
        for village in ("Tuol Krasang", "Ou Ta Prak", "Chheuteal", "Kbal Damrei")
    }
    assert len(opinions) == 1


def test_the_review_score_rises_when_the_second_classifier_prefers_another_kind():
    confident = {"achievement": 0.9, "challenge": 0.05, "goal": 0.03, "other": 0.02}
    unsure = {"achievement": 0.5, "challenge": 0.4, "goal": 0.05, "other": 0.05}
    agrees = {"achievement": 0.8, "challenge": 0.1, "goal": 0.05, "other": 0.05}
    disagrees = {"achievement": 0.1, "challenge": 0.8, "goal": 0.05, "other": 0.05}
    text = "Rice yields fell by 12 % in the north."
    rows, wrong = [], []
    for scores, second, is_wrong, times in (
        (confident, agrees, False, 40),
        (confident, disagrees, True, 6),
        (confident, disagrees, False, 4),
        (unsure, agrees, True, 5),
        (unsure, agrees, False, 5),
    ):
        rows += [review_features("achievement", scores, second, text)] * times
        wrong += [is_wrong] * times
    model = fit_review_model(rows, wrong)
    # A label both classifiers agree on with high confidence is least doubtful; disagreement makes it doubtful.
    calm = model.score(review_features("achievement", confident, agrees, text))
    doubted = model.score(review_features("achievement", confident, disagrees, text))
    assert calm < 0.1 < doubted


def test_a_statement_the_review_score_doubts_is_flagged_likely_wrong_instead_of_by_its_confidence():
    assert "likely_wrong" in FLAG_REASONS
    review = ReviewModel(means=[0.0] * 8, scales=[1.0] * 8, weights=[0.0] * 8, bias=0.0, threshold=0.3)
    policy = ReviewPolicy(low_confidence_threshold=0.78, section_mismatch=False, review=review)

    def reasons(confidence: float, score: float | None) -> list[str]:
        return statement_flags(kind="achievement", confidence=confidence, section_kind="achievements",
                               word_count=9, document_unresolved=[], partial_document=False, policy=policy,
                               review_score=score)

    assert reasons(0.99, 0.35) == ["likely_wrong"] and needs_review(["likely_wrong"])
    assert reasons(0.5, 0.1) == []  # low confidence alone no longer decides once the review score does
    assert reasons(0.5, None) == ["low_confidence"]  # a model without the second classifier keeps the old rule


def test_the_shipped_model_flags_a_label_its_second_classifier_contradicts():
    nlp = spacy.load(MODEL_DIR)
    policy = review_policy(nlp)
    assert policy.review is not None and 0.0 < policy.review.threshold < 1.0
    text = "The district will build 3 schools in 2021."
    second = nlp(text)._.second_cats
    assert max(second, key=second.__getitem__) == "goal"
    scores = {"achievement": 0.05, "challenge": 0.05, "goal": 0.88, "other": 0.02}
    # The same confident label, once backed by the n-gram classifier and once contradicted by it.
    backed = policy.review_score("goal", scores, second, text)
    contradicted = policy.review_score("goal", scores, {"achievement": 0.9, "challenge": 0.04, "goal": 0.03,
                                                         "other": 0.03}, text)
    assert backed is not None and contradicted is not None
    assert backed < policy.review.threshold <= contradicted


def test_the_review_threshold_flags_the_most_doubtful_rows_within_the_budget():
    doubts = [0.9, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.04, 0.03]
    wrong = {0.9, 0.6, 0.2}
    rows = [(statement_record("s", "d", "a.txt", "Built it.", confidence=0.9), d not in wrong) for d in doubts]
    # 70 % of the 3 errors takes all three, down to the one at 0.2: 6 flags, within a budget of 60 %.
    assert choose_review_threshold(rows, doubts, target=0.7, max_share=0.6) == pytest.approx(0.2)
    # With room for 3 flags only, the cut stops above the fourth most doubtful row (0.4).
    assert 0.4 < choose_review_threshold(rows, doubts, target=0.7, max_share=0.3) <= 0.6
