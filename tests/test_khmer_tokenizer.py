"""The Khmer word tokenizer: registered with spaCy, exact text, listed words whole, saved with a model."""

from __future__ import annotations

import spacy

from pipeline.nlp.khmer_tokenizer import TOKENIZER_NAME, KhmerTokenizer


def blank_khmer() -> spacy.language.Language:
    return spacy.blank("xx", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})


def test_registered_and_words_from_the_packaged_list():
    assert spacy.registry.tokenizers.get(TOKENIZER_NAME) is not None
    doc = blank_khmer()("ស្រុកបានស្ថាបនាផ្លូវ ១៤ គីឡូម៉ែត្រ។")
    assert [token.text for token in doc] == ["ស្រុក", "បាន", "ស្ថាបនា", "ផ្លូវ", "១៤", "គីឡូម៉ែត្រ", "។"]


def test_text_is_kept_exactly_with_zero_width_and_repeated_spaces():
    text = "sec=goals ផ្លូវ\u200bបេតុង  ៣.៤៥០ (COVID-19)\nនាក់។ ok."
    doc = blank_khmer()(text)
    assert doc.text == text
    assert "sec=goals" in [token.text for token in doc]
    assert "៣.៤៥០" in [token.text for token in doc]


def test_unknown_clusters_stay_together_and_never_split_a_cluster():
    tokenizer = KhmerTokenizer(spacy.blank("xx").vocab, ["ផ្លូវ"])
    # ក្រួស (gravel) is not listed: its clusters ក្រួ + ស make one token, and ផ្លូវ is found after it
    assert tokenizer.khmer_words("ក្រួសផ្លូវ") == ["ក្រួស", "ផ្លូវ"]
    assert tokenizer.khmer_words("ស្ត្រី") == ["ស្ត្រី"]


def test_the_word_list_travels_with_a_saved_model(tmp_path):
    nlp = spacy.blank("xx", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    assert isinstance(nlp.tokenizer, KhmerTokenizer)
    nlp.tokenizer.words = frozenset({"ក្រួសក្រហម"})
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert [token.text for token in loaded("ក្រួសក្រហម")] == ["ក្រួសក្រហម"]
