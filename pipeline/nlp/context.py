"""What a statement's surroundings say, carried on its ``Doc`` for the classifier to use.

The extensions are registered when this module is imported, which every module that reads them does.
"""

from spacy.tokens import Doc

CONTEXT_EXTENSIONS = {
    "section_kind": "other",
    "lead_in": "",
    "block_kind": "paragraph",
    "position": 0.0,
    "cue_kind": None,  # the cue-phrase rules' label, when a pipeline carries them as a second opinion
    "second_cats": None,  # the character n-gram classifier's class probabilities (pipeline.nlp.char_ngrams)
    "markers": 0,  # how many context marker words ("sec=goals" ...) lead the Doc
}


def register_context_extensions() -> None:
    for name, default in CONTEXT_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_context_extensions()
