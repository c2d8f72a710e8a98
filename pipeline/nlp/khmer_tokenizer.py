"""``workreview.khmer_tokenizer.v1``: Khmer words for spaCy, which has no Khmer language of its own.

Khmer writes no spaces between words. A Khmer stretch is cut into character clusters (a consonant or independent
vowel with the signs, subscripts and vowels written on it: the smallest unit a word can end on), and the clusters
are joined into words by forward longest match against a word list; clusters that start no listed word, one
after another, make one token (an unknown word). Numbers (Khmer or ASCII digits with their separators) are one
token; everything else is split at whitespace, with punctuation apart; a zero-width space is whitespace.
``doc.text`` is always the input exactly.

The word list (``pipeline/data/khmer_words.txt``) was made by segmenting the Khmer corpus's *train* documents
with khmer-nltk's CRF word segmenter (Apache-2.0) once, offline (``benchmarks/khmer_words.py``, which also
measures this tokenizer's word F1 against khmer-nltk on the dev and test statements); nothing of khmer-nltk or
scikit-learn is needed at run time. The list is saved with the model (``to_disk``), so a shipped model keeps the
words it was trained with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy import registry
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.gazetteer import DATA_DIR

TOKENIZER_NAME = "workreview.khmer_tokenizer.v1"
WORDS_FILE = "khmer_words.txt"
MAX_WORD_CLUSTERS = 8
"""The longest word looked up, in clusters (longer listed words are never matched)."""
CLUSTER = re.compile(r"[\u1780-\u17B3](?:\u17D2[\u1780-\u17B3]|[\u17B4-\u17D1\u17D3\u17DD])*|[\u17D2-\u17DD]")
PIECE = re.compile(
    r"(?P<khmer>[\u1780-\u17D3\u17DD]+)"
    r"|(?P<number>[0-9០-៩]+(?:[.,][0-9០-៩]+)*)"
    r"|(?P<space>[\s\u200b-\u200d\u2060\ufeff]+)"
    r"|(?P<word>[^\s\u200b-\u200d\u2060\ufeff\u1780-\u17FF.,;:!?()\[\]\"'“”‘’|]+"
    r"(?:[.,:/\-][^\s\u200b\u1780-\u17FF.,;:!?()\[\]\"'“”‘’|]+)*)"
    r"|(?P<other>.)",
    re.DOTALL,
)


class KhmerTokenizer:
    keeps_marker_words = True
    """A marker word ("sec=goals") has no space or Khmer inside, so it stays one token (``context_markers``)."""

    def __init__(self, vocab: Vocab, words: Iterable[str] = ()):
        self.vocab = vocab
        self.words = frozenset(words)

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for match in PIECE.finditer(text):
            piece = match.group()
            if match.lastgroup == "space":
                if piece == " " and words and not spaces[-1]:
                    spaces[-1] = True
                else:
                    if piece.startswith(" ") and words and not spaces[-1]:
                        spaces[-1] = True
                        piece = piece[1:]
                    words.append(piece)
                    spaces.append(False)
            elif match.lastgroup == "khmer":
                for word in self.khmer_words(piece):
                    words.append(word)
                    spaces.append(False)
            else:
                words.append(piece)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    def khmer_words(self, run: str) -> list[str]:
        """A stretch of Khmer cut into listed words (longest first) and lone clusters."""
        clusters = CLUSTER.findall(run)
        if "".join(clusters) != run:  # a stray sign where no letter carries it: keep the text whole and exact
            clusters = list(run)
        found: list[str] = []
        unknown = ""
        i = 0
        while i < len(clusters):
            for length in range(min(MAX_WORD_CLUSTERS, len(clusters) - i), 0, -1):
                candidate = "".join(clusters[i : i + length])
                if candidate in self.words:
                    if unknown:
                        found.append(unknown)
                        unknown = ""
                    found.append(candidate)
                    i += length
                    break
            else:
                unknown += clusters[i]  # clusters no listed word starts stay together: an unknown word
                i += 1
        if unknown:
            found.append(unknown)
        return found

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / WORDS_FILE).write_text("\n".join(sorted(self.words)) + "\n", encoding="utf-8")

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> KhmerTokenizer:
        self.words = frozenset(read_words(Path(path) / WORDS_FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return "\n".join(sorted(self.words)).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> KhmerTokenizer:
        self.words = frozenset(filter(None, data.decode("utf-8").splitlines()))
        return self


def read_words(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@registry.tokenizers(TOKENIZER_NAME)
def create_khmer_tokenizer() -> Callable[[Language], KhmerTokenizer]:
    """The tokenizer with the packaged word list; a saved model replaces it with its own on loading."""

    def make(nlp: Language) -> KhmerTokenizer:
        return KhmerTokenizer(nlp.vocab, read_words(DATA_DIR / WORDS_FILE))

    return make
