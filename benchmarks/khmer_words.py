"""Build the Khmer tokenizer's word list, and measure the tokenizer's word F1 against khmer-nltk.

    # 1. in a separate environment with khmer-nltk 1.6 (Apache-2.0; it pulls scikit-learn, which the project
    #    itself never needs): segment the Khmer corpus's train sources, write the word list, and segment the dev
    #    and test gold statements as the reference
    python -m venv /tmp/kmnltk && /tmp/kmnltk/bin/pip install khmer-nltk==1.6
    /tmp/kmnltk/bin/python benchmarks/khmer_words.py build --reference /tmp/khmer_reference.jsonl
    # 2. in the project's environment: word F1 of pipeline.nlp.khmer_tokenizer on that reference
    .venv/bin/python benchmarks/khmer_words.py measure --reference /tmp/khmer_reference.jsonl

Only train sources feed the list, so the F1 on dev and test statements counts words the list has never seen.
Words are compared as character spans of the Khmer stretches (spaces and non-Khmer text left out).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sample_reports" / "source"
GOLD = ROOT / "sample_reports" / "km" / "gold"
WORDS = ROOT / "pipeline" / "data" / "khmer_words.txt"
KHMER_RUN = re.compile(r"[\u1780-\u17D3\u17DD]+")
QUANTITY_MARKUP = re.compile(r"\[\[([^|\]]*)\|[^\]]*\]\]")
STATEMENT_MARKUP = re.compile(r"\{[ACG]\|([^}]*)\}")


def source_split(text: str) -> str | None:
    match = re.search(r"^split:\s*(\w+)", text, re.MULTILINE)
    return match.group(1) if match else None


def plain_body(text: str) -> str:
    body = text.split("\n---", 2)[-1]
    return STATEMENT_MARKUP.sub(r"\1", QUANTITY_MARKUP.sub(r"\1", body)).replace("\u200b", "")


def build(reference: Path) -> None:
    from khmernltk import word_tokenize

    words: set[str] = set()
    for path in sorted(SOURCES.glob("km_*.md")):
        text = path.read_text(encoding="utf-8")
        if source_split(text) != "train":
            continue
        for line in plain_body(text).splitlines():
            for run in KHMER_RUN.findall(line):
                words.update(token for token in word_tokenize(run) if KHMER_RUN.fullmatch(token))
    WORDS.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    documents = {
        row["document"]: row["split"]
        for row in map(json.loads, (GOLD / "documents.jsonl").read_text(encoding="utf-8").splitlines())
    }
    with reference.open("w", encoding="utf-8") as out:
        for line in (GOLD / "statements.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if documents[row["document"]] == "train":
                continue
            runs = [word_tokenize(run) for run in KHMER_RUN.findall(row["text"].replace("\u200b", ""))]
            out.write(json.dumps({"split": documents[row["document"]], "runs": runs}, ensure_ascii=False) + "\n")
    print(f"{len(words)} words written to {WORDS.relative_to(ROOT)}; reference in {reference}")


def spans(tokens: list[str]) -> set[tuple[int, int]]:
    found, at = set(), 0
    for token in tokens:
        found.add((at, at + len(token)))
        at += len(token)
    return found


def measure(reference: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import spacy

    from pipeline.nlp.khmer_tokenizer import create_khmer_tokenizer

    tokenizer = create_khmer_tokenizer()(spacy.blank("xx"))
    for split in ("dev", "test"):
        hits = predicted = gold = 0
        for line in reference.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["split"] != split:
                continue
            for run in row["runs"]:
                expected = spans(run)
                got = spans(tokenizer.khmer_words("".join(run)))
                hits += len(expected & got)
                predicted += len(got)
                gold += len(expected)
        precision, recall = hits / predicted, hits / gold
        f1 = 2 * precision * recall / (precision + recall)
        print(f"{split}: word precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f} ({gold} reference words)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("build", "measure"))
    parser.add_argument("--reference", type=Path, required=True)
    arguments = parser.parse_args()
    build(arguments.reference) if arguments.step == "build" else measure(arguments.reference)
