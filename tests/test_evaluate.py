import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.evaluate import EvaluationError, evaluate, keyword_label, render_text
from workreview.cli import app

STATEMENT_COLUMNS = ["source_file", "kind", "text", "flagged", "province_code", "confidence"]


def write_gold(
    root: Path, statements: list[tuple[str, str, str]], documents: dict[str, tuple[str, str]],
    genres: dict[str, str] | None = None,
) -> Path:
    """``statements``: (document, label, text); ``documents``: name -> (province_code, split); ``genres``: name ->
    genre (without it the gold names no genres, like the corpus before issue 12)."""
    gold = root / "gold"
    gold.mkdir()
    rows = [
        {"document": name, "province_code": code, "province": "", "report_year": 2020, "level": "province",
         "split": split, "format": name.rsplit(".", 1)[-1], **({"genre": genres[name]} if genres else {})}
        for name, (code, split) in documents.items()
    ]
    (gold / "documents.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    lines = [json.dumps({"document": d, "label": label, "text": text}) for d, label, text in statements]
    (gold / "statements.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold


def write_predictions(root: Path, statements: list[tuple], documents: list[tuple]) -> Path:
    """``statements``: (source_file, kind, text[, flagged]);
    ``documents``: (source_file, province_code, status, version)."""
    out = root / "out"
    out.mkdir()
    rows = [
        {"source_file": s[0], "kind": s[1], "text": s[2], "flagged": s[3] if len(s) > 3 else False,
         "province_code": "KH-7", "confidence": 0.9}
        for s in statements
    ]
    pd.DataFrame(rows, columns=STATEMENT_COLUMNS).to_parquet(out / "statements.parquet", index=False)
    frame = pd.DataFrame(documents, columns=["source_file", "province_code", "status", "version"])
    frame.insert(0, "document_id", [f"h{i}" for i in range(len(frame))])
    frame.to_csv(out / "documents.csv", index=False)
    return out


def run(tmp_path: Path, gold: list[tuple[str, str]], predicted: list[tuple], split: str | None = None):
    """One document ``a.txt`` (KH-7): ``gold`` = (label, text), ``predicted`` = (kind, text[, flagged])."""
    gold_dir = write_gold(tmp_path, [("a.txt", *g) for g in gold], {"a.txt": ("KH-7", "test")})
    pred_dir = write_predictions(tmp_path, [("a.txt", *p) for p in predicted], [("a.txt", "KH-7", "ok", 1)])
    return evaluate(gold_dir, pred_dir, split)


def counts(evaluation, label: str) -> tuple[int, int, int]:
    score = evaluation.labels[label]
    return score.tp, score.fp, score.fn


def test_the_same_words_match_regardless_of_case_and_punctuation(tmp_path):
    evaluation = run(
        tmp_path, [("achievement", "Built 3 schools in Kampot.")], [("achievement", "built 3 Schools in KAMPOT")]
    )
    assert counts(evaluation, "achievement") == (1, 0, 0)
    assert evaluation.macro_f1 == pytest.approx(1 / 3)  # challenge and goal have nothing: F1 0
    assert evaluation.to_dict()["per_document"][0]["errors"] == []


# Gold "The province built eight new schools in Kampot" has 8 distinct tokens. Similarity = 2·common / (8 + n).
GOLD_8_TOKENS = "The province built eight new schools in Kampot"


@pytest.mark.parametrize(
    ("prediction", "matches"),
    [
        ("built eight new roads today", False),  # 3 common of 5 tokens: 6/13 = 0.46
        ("built eight new roads", True),  # 3 common of 4 tokens: 6/12 = 0.50, the threshold itself
        ("built eight new", True),  # 3 common of 3 tokens: 6/11 = 0.55
    ],
)
def test_a_pair_needs_half_of_its_tokens_in_common(tmp_path, prediction, matches):
    evaluation = run(tmp_path, [("achievement", GOLD_8_TOKENS)], [("achievement", prediction)])
    assert counts(evaluation, "achievement") == ((1, 0, 0) if matches else (0, 1, 1))


def test_the_more_similar_prediction_takes_the_gold_and_the_other_is_a_false_positive(tmp_path):
    gold = [("achievement", "Repaired 12 km of rural road in Kampot district.")]
    predicted = [
        ("achievement", "Repaired 12 km of rural road", True),  # 6 of 9 gold tokens: 12/15 = 0.80
        ("achievement", "Repaired 12 km of rural road in Kampot", False),  # 8 of 9: 16/17 = 0.94
    ]
    evaluation = run(tmp_path, gold, predicted)
    assert counts(evaluation, "achievement") == (1, 1, 0)
    [error] = evaluation.to_dict()["per_document"][0]["errors"]
    assert error["kind"] == "false_positive"
    assert error["predicted_text"] == "Repaired 12 km of rural road"


def test_one_prediction_never_counts_for_two_gold_statements(tmp_path):
    gold = [("goal", "Build a new market in 2021"), ("goal", "Build a new market hall in 2021")]
    evaluation = run(tmp_path, gold, [("goal", "Build a new market hall in 2021.")])
    assert counts(evaluation, "goal") == (1, 0, 1)
    [error] = evaluation.to_dict()["per_document"][0]["errors"]
    assert (error["kind"], error["gold_text"]) == ("false_negative", "Build a new market in 2021")


def test_a_wrong_label_is_a_miss_of_the_gold_label_and_a_false_alarm_of_the_predicted_one(tmp_path):
    gold = [
        ("achievement", "Vaccinated 5,000 children."),
        ("achievement", "Opened two health centres."),
        ("goal", "Pave the market road next year."),
        ("challenge", "Floods delayed the bridge."),
    ]
    predicted = [
        ("achievement", "Vaccinated 5,000 children."),
        ("goal", "Opened two health centres."),
        ("goal", "Pave the market road next year."),
        ("challenge", "Staff attended a workshop on budgeting."),
    ]
    evaluation = run(tmp_path, gold, predicted)
    assert counts(evaluation, "achievement") == (1, 0, 1)
    assert counts(evaluation, "goal") == (1, 1, 0)
    assert counts(evaluation, "challenge") == (0, 1, 1)
    assert evaluation.labels["achievement"].precision == 1.0
    assert evaluation.labels["achievement"].recall == 0.5
    assert evaluation.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    kinds = sorted(e["kind"] for e in evaluation.to_dict()["per_document"][0]["errors"])
    assert kinds == ["false_negative", "false_positive", "wrong_label"]


def test_a_split_scores_only_its_documents(tmp_path):
    gold_dir = write_gold(
        tmp_path,
        [("a.txt", "achievement", "Built 3 schools."), ("b.txt", "goal", "Build 4 schools.")],
        {"a.txt": ("KH-7", "train"), "b.txt": ("KH-8", "test")},
    )
    pred_dir = write_predictions(
        tmp_path,
        [
            ("a.txt", "achievement", "Built 3 schools."),
            ("a.txt", "goal", "Noise."),
            ("b.txt", "challenge", "Build 4 schools."),
        ],
        [("a.txt", "KH-7", "ok", 1), ("b.txt", "KH-8", "ok", 1)],
    )
    evaluation = evaluate(gold_dir, pred_dir, split="test")
    assert [d.document for d in evaluation.documents] == ["b.txt"]
    assert evaluation.total.tp == 0 and evaluation.predicted_statements == 1
    assert evaluation.unscored_sources == ["a.txt"]
    assert evaluate(gold_dir, pred_dir).total.tp == 1
    with pytest.raises(EvaluationError, match="tset"):
        evaluate(gold_dir, pred_dir, split="tset")


def test_province_is_scored_per_document_from_its_last_successful_version(tmp_path):
    gold_dir = write_gold(
        tmp_path,
        [],
        {"right.pdf": ("KH-7", "test"), "wrong.pdf": ("KH-8", "test"), "failed.pdf": ("KH-9", "test"),
         "missing.pdf": ("KH-10", "test"), "retried.pdf": ("KH-11", "test")},
    )
    pred_dir = write_predictions(
        tmp_path,
        [],
        [
            ("right.pdf", "KH-7", "ok", 1),
            ("wrong.pdf", "KH-1", "ok", 1),
            ("failed.pdf", "", "failed", 1),
            ("retried.pdf", "KH-11", "ok", 1),
            ("retried.pdf", "", "failed", 2),
        ],
    )
    evaluation = evaluate(gold_dir, pred_dir)
    assert evaluation.province_accuracy == pytest.approx(2 / 5)
    wrong = {w["document"]: w["predicted"] for w in evaluation.to_dict()["province"]["wrong"]}
    assert wrong == {"wrong.pdf": "KH-1", "failed.pdf": None, "missing.pdf": None}
    report = render_text(evaluation)
    assert "wrong.pdf: gold KH-8, predicted KH-1" in report
    assert "missing.pdf: gold KH-10, predicted not in predictions" in report


def test_flag_shares_measure_the_workload_and_the_errors_a_reviewer_would_see(tmp_path):
    gold = [("achievement", "Built 3 schools."), ("achievement", "Dug 40 wells."), ("challenge", "Roads flooded.")]
    predicted = [
        ("achievement", "Built 3 schools.", False),  # true positive
        ("achievement", "Dug 40 wells.", True),  # true positive, flagged
        ("goal", "Thanks to all partners.", True),  # false positive, flagged
        ("goal", "The council met twice.", True),  # false positive, flagged
        ("goal", "Roads flooded.", False),  # wrong label, not flagged
    ]
    evaluation = run(tmp_path, gold, predicted)
    assert evaluation.flagged_share == pytest.approx(3 / 5)
    assert evaluation.wrong_predictions == 3
    assert evaluation.errors_flagged_share == pytest.approx(2 / 3)
    flags = json.loads(json.dumps(evaluation.to_dict()))["flags"]
    assert (flags["flagged_statements"], flags["flagged_errors"]) == (3, 2)


def test_documents_meet_by_file_name_wherever_the_reports_folder_put_them(tmp_path):
    gold_dir = write_gold(
        tmp_path,
        [("a.txt", "achievement", "Built 3 schools."), ("b.docx", "goal", "Build 4 schools.")],
        {"a.txt": ("KH-7", "test"), "b.docx": ("KH-8", "test")},
    )
    pred_dir = write_predictions(
        tmp_path,
        [("north/2020/a.txt", "achievement", "Built 3 schools."), ("south\\b.docx", "goal", "Build 4 schools.")],
        [("north/2020/a.txt", "KH-7", "ok", 1), ("south\\b.docx", "KH-8", "ok", 1)],
    )
    evaluation = evaluate(gold_dir, pred_dir)
    assert evaluation.total.tp == 2 and evaluation.total.fp == 0
    assert evaluation.province_accuracy == 1.0
    assert [d.source_file for d in evaluation.documents] == ["north/2020/a.txt", "south\\b.docx"]


def test_missing_predictions_give_a_clear_error(tmp_path):
    gold_dir = write_gold(tmp_path, [], {"a.txt": ("KH-7", "test")})
    with pytest.raises(EvaluationError, match="statements.parquet"):
        evaluate(gold_dir, tmp_path / "nowhere")


# Three documents of three genres; each has one gold statement the model gets right and the press one a second it
# mislabels.
GENRE_GOLD = [
    ("t.pdf", "achievement", "The district built 3 schools."),
    ("p.txt", "goal", "The governor said the province will pave 20 km of road."),
    ("p.txt", "challenge", "Illegal logging remained a problem in the north."),
    ("m.docx", "challenge", "The hall lacks staff for the one window office."),
]
GENRE_PREDICTED = [
    ("t.pdf", "achievement", "The district built 3 schools."),
    ("p.txt", "goal", "The governor said the province will pave 20 km of road."),
    ("p.txt", "achievement", "Illegal logging remained a problem in the north."),
    ("m.docx", "challenge", "The hall lacks staff for the one window office."),
    ("m.docx", "other", "Copy to: the provincial governor."),
]


def genre_run(tmp_path: Path, genres: list[str] | None = None, with_genres: bool = True):
    documents = {"t.pdf": ("KH-7", "dev"), "p.txt": ("KH-7", "dev"), "m.docx": ("KH-7", "dev")}
    gold_dir = write_gold(tmp_path, GENRE_GOLD, documents,
                          {"t.pdf": "template", "p.txt": "press", "m.docx": "memo"} if with_genres else None)
    pred_dir = write_predictions(tmp_path, GENRE_PREDICTED, [(name, "KH-7", "ok", 1) for name in documents])
    return gold_dir, pred_dir, evaluate(gold_dir, pred_dir, genres=genres)


def test_scores_are_given_per_genre(tmp_path):
    _, _, evaluation = genre_run(tmp_path)
    genres = evaluation.to_dict()["genres"]

    assert set(genres) == {"template", "press", "memo"}
    assert genres["press"]["documents"] == 1
    assert genres["press"]["labels"]["goal"]["f1"] == 1.0
    assert genres["press"]["labels"]["challenge"]["f1"] == 0.0  # its one challenge was called an achievement
    assert genres["memo"]["macro_f1"] == pytest.approx(1 / 3)  # challenge right; no achievement, no goal
    report = render_text(evaluation)
    assert "Per genre (F1):" in report
    assert any(line.split()[:4] == ["press", "1", "2", f"{(0 + 0 + 1) / 3:.3f}"] for line in report.splitlines())


def test_a_gold_without_genres_prints_no_genre_table(tmp_path):
    _, _, evaluation = genre_run(tmp_path, with_genres=False)

    assert evaluation.to_dict()["genres"] is None
    assert "Per genre" not in render_text(evaluation)
    assert {d.genre for d in evaluation.documents} == {"template"}


@pytest.mark.parametrize(
    ("selection", "documents"),
    [
        (["wild"], ["m.docx", "p.txt"]),
        (["press,memo"], ["m.docx", "p.txt"]),
        (["press", "template"], ["p.txt", "t.pdf"]),
        (["template"], ["t.pdf"]),
    ],
)
def test_genres_select_the_documents_scored(tmp_path, selection, documents):
    _, _, evaluation = genre_run(tmp_path, genres=selection)

    assert [d.document for d in evaluation.documents] == documents
    assert [d.document for d in evaluation.baseline.documents] == documents


def test_an_unknown_genre_is_refused_naming_the_known_ones(tmp_path):
    with pytest.raises(EvaluationError, match="'pres'.*memo, press, template"):
        genre_run(tmp_path, genres=["pres"])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The province plans to set up eight patrol teams.", "goal"),
        ("A target of 150 km has been set.", "goal"),
        ("Teachers will be trained in 2022.", "goal"),
        ("The lack of staff delayed the census.", "challenge"),  # challenge words beat the past tense
        ("Difficulties remain in the north.", "challenge"),
        ("The district repaired the market roof.", "achievement"),
        ("The council held 12 meetings.", "achievement"),
        ("Forty wells were dug.", "achievement"),
        ("Revenue: 45%", "achievement"),
        ("Thanks to all partners.", "other"),
        ("Copy to: the provincial governor.", "other"),
    ],
)
def test_the_keyword_baseline_follows_the_issue_rules(text, label):
    assert keyword_label(text) == label


def test_the_baseline_relabels_every_exported_text_other_rows_included(tmp_path):
    _, _, evaluation = genre_run(tmp_path)
    baseline = evaluation.baseline

    # Model: 3 of 4 right, the "other" row is not scored. Baseline: "built 3" achievement, "will" goal,
    # "problem" challenge, "lacks" challenge, "Copy to" other (not exported, so not a false positive).
    assert (evaluation.total.tp, evaluation.total.fp) == (3, 1)
    assert (baseline.total.tp, baseline.total.fp, baseline.total.fn) == (4, 0, 0)
    assert evaluation.baseline_sees_all_segments
    assert evaluation.to_dict()["baseline"]["scope"] == "all segments"
    assert evaluation.to_dict()["baseline"]["genres"]["press"]["macro_f1"] == pytest.approx(2 / 3)
    assert "Keyword baseline on the same statement texts (every segment" in render_text(evaluation)


def test_the_command_takes_genres_repeated_or_comma_separated(tmp_path):
    gold_dir, pred_dir, _ = genre_run(tmp_path)
    runner = CliRunner()

    result = runner.invoke(app, ["evaluate", "--gold", str(gold_dir), "--pred", str(pred_dir), "--json",
                                 "--genre", "press", "--genre", "memo,template"])
    wild = runner.invoke(app, ["evaluate", "--gold", str(gold_dir), "--pred", str(pred_dir), "--genre", "wild"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["genres_selected"] == ["memo", "press", "template"]
    assert wild.exit_code == 0, wild.output
    assert "2 documents" in wild.output and "genres memo, press" in wild.output
