"""``statement_cues``: the rule-based statement classifier (cue phrases + the section's kind).

It writes ``doc.cats`` exactly like a trained ``textcat`` would (achievement / challenge / goal / other,
summing to 1), so the extraction stage reads the result the same way whichever classifier the pipeline has.

With ``second_opinion = true`` (how the trained model carries it) it leaves ``doc.cats`` to the model and only
writes its own label to ``doc._.cue_kind``. The rules err differently from the model, so a statement the two
label differently is worth a reviewer's look (``pipeline.flags``, ``cues_disagree``): out of fold, 29 % of such
statements are wrong, against 8 % of all.
"""

from __future__ import annotations

import math

from spacy.attrs import LIKE_NUM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.nlp import context as _context  # noqa: F401  (registers the doc._ extensions)
from pipeline.vocabulary import StatementKind

SECTION_LABEL = {
    "achievements": StatementKind.ACHIEVEMENT,
    "challenges": StatementKind.CHALLENGE,
    "goals": StatementKind.GOAL,
    "other": StatementKind.OTHER,
}

GOAL_CUES = [
    "will", "shall", "plan to", "plans to", "aim to", "aims to", "target of", "targets", "priority", "priorities",
    "intend to", "intends to", "is expected to", "are expected to", "strive to", "commit to", "committed to",
    "going to", "next year", "continue to", "to be completed", "must",
]
CHALLENGE_CUES = [
    "remained limited", "remains limited", "remain limited", "was delayed", "were delayed", "delay", "delays",
    "delayed", "did not meet", "not met", "not yet", "lack of", "lacked", "lacks", "shortage", "shortages",
    "insufficient", "limited", "difficult", "difficulty", "difficulties", "challenge", "challenges", "problem",
    "problems", "concern", "unable", "failed to", "low", "decline", "declined", "decrease", "decreased", "dropped",
    "fell", "hampered", "constraint", "constraints", "weak", "inadequate", "poor", "slow", "only", "still",
    "however", "not", "could not", "remained", "persist", "persisted",
]
ACHIEVEMENT_VERBS = (
    "completed built constructed repaired rehabilitated provided distributed achieved reached increased trained "
    "registered resolved vaccinated collected disbursed supported established organised organized conducted "
    "issued arrested confiscated installed upgraded delivered received processed solved inspected cleared seized "
    "enrolled planted dug drilled paved assisted helped handled signed launched opened exceeded succeeded managed "
    "implemented ensured maintained mobilised mobilized prevented tested quarantined rescued evacuated generated "
    "created connected allocated granted approved examined settled served treated returned recorded"
).split()
IMPERATIVE_VERBS = frozenset(
    "repair build construct complete continue ensure increase strengthen improve promote expand provide train "
    "reduce maintain prepare develop establish organise organize upgrade rehabilitate mobilise mobilize encourage "
    "implement collect finish prevent register resolve distribute install plant dig drill pave launch open "
    "enhance extend achieve reach disseminate conduct support".split()
)
LEAD_IN_WEIGHT = 0.75
CUE_WEIGHTS = {StatementKind.GOAL: 2.0, StatementKind.CHALLENGE: 1.6, StatementKind.ACHIEVEMENT: 1.4}
SECTION_PRIOR = 1.5
OTHER_BASELINE = 1.0


class StatementCues:
    """Scores each label by its cue phrases, adds the section's kind as a prior, and softmaxes."""

    def __init__(self, nlp: Language, name: str, second_opinion: bool = False):
        self.name = name
        self.second_opinion = second_opinion
        # A PhraseMatcher finds the phrases with one hash lookup per token; numbers are read off the token array.
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrases.add("goal", [nlp.make_doc(phrase) for phrase in GOAL_CUES])
        self.phrases.add("challenge", [nlp.make_doc(phrase) for phrase in CHALLENGE_CUES])
        self.phrases.add("achievement", [nlp.make_doc(verb) for verb in ACHIEVEMENT_VERBS])
        self.label_ids = {nlp.vocab.strings[kind.value]: kind for kind in CUE_WEIGHTS}  # matcher label -> kind
        self.tokenizer = nlp.tokenizer

    def _cue_scores(self, doc: Doc, weight: float, scores: dict[StatementKind, float]) -> None:
        """Add the cues found in ``doc``. Context marker words ("sec=goals") are neither cue phrases nor numbers, so
        a statement behind its markers scores as its words alone."""
        seen: set[tuple[StatementKind, int]] = set()
        for match_id, start, _end in self.phrases(doc):
            label = self.label_ids[match_id]
            # Each cue counts once per position so overlapping phrases ("delayed", "was delayed") don't stack.
            if (label, start) not in seen:
                seen.add((label, start))
                scores[label] += CUE_WEIGHTS[label] * weight
        for start in doc.to_array(LIKE_NUM).nonzero()[0].tolist():  # a number is an achievement cue too
            if (StatementKind.ACHIEVEMENT, start) not in seen:
                scores[StatementKind.ACHIEVEMENT] += CUE_WEIGHTS[StatementKind.ACHIEVEMENT] * weight

    def __call__(self, doc: Doc) -> Doc:
        context = doc._
        scores = dict.fromkeys(StatementKind, 0.0)
        scores[StatementKind.OTHER] = OTHER_BASELINE
        self._cue_scores(doc, 1.0, scores)
        if context.lead_in:
            # "In 2021 the district will focus on the following:" makes the list below it goals.
            self._cue_scores(self.tokenizer(context.lead_in), LEAD_IN_WEIGHT, scores)
        if len(doc) > context.markers and doc[context.markers].lower_ in IMPERATIVE_VERBS:
            scores[StatementKind.GOAL] += CUE_WEIGHTS[StatementKind.GOAL] * 0.75
        scores[SECTION_LABEL[context.section_kind]] += SECTION_PRIOR
        top = max(scores.values())
        exp = {label: math.exp(score - top) for label, score in scores.items()}
        if self.second_opinion:
            context.cue_kind = max(exp, key=exp.__getitem__)
            return doc
        total = sum(exp.values())
        doc.cats = {label: value / total for label, value in exp.items()}
        return doc


@Language.factory("statement_cues", default_config={"second_opinion": False})
def make_statement_cues(nlp: Language, name: str, second_opinion: bool) -> StatementCues:
    return StatementCues(nlp, name, second_opinion)
