"""Marker words for what a statement's own words say: modality, tense, negation, directives, reported speech,
problems, damage, plans and the direction of a change ("cue=directive", "cue=past", "cue=bad_down" ...).

The bag-of-words classifier reads words, and 1,500 training statements cannot show every form of every verb: a
goal phrased "the minister urged the hall to streamline …" or a challenge phrased "tornadoes destroyed 45
houses" may use words the training set never had. The classes below are written as lemmas; spaCy's English
lookup tables (``spacy-lookups-data``: the lemma lookup and the irregular verb forms) expand each to every
word form that lemmatizes to it, so "urges", "urging" and "urged" all give ``cue=directive`` and "fell", "rose",
"built" count as past tense. Each class becomes one marker word before the statement (``context_markers``,
feature ``cues``), and the model learns how much each class weighs for each label.

The lexicon is built once per process from the lookup tables (a few hundred milliseconds); looking a statement
up is one dictionary probe per word.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import srsly
from spacy.lookups import load_lookups

from pipeline.khmer import has_khmer, normalize

CUE_MARKER = "cue="
LEMMA_MARKER = "lem="
VERB_ENDINGS = ("s", "ed", "ing")
MODAL_FORMS = {"would": "will", "could": "can", "might": "may"}
LEMMA = re.compile(r"[a-z]+")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|without|none|nothing|cannot)\b|n't\b")
PERCENT = re.compile(r"\d\s*%|\bper\s*cent\b|\bpercent\b")

# Lemmas per class. A word form belongs to a class when it is one of these or lemmatizes to one of them.
CUE_LEMMAS: dict[str, str] = {
    "future": "will shall 'll wo would",
    "must": "must should ought need require necessary obliged obligation",
    "directive": (
        "urge instruct direct order request ask call recommend advise remind encourage appeal demand propose "
        "suggest task mandate insist invite recommendation instruction directive"
    ),
    "said": (
        "say tell state announce stress emphasise emphasize pledge promise vow assure declare affirm note add "
        "explain confirm reiterate reveal according"
    ),
    "plan": (
        "plan target aim goal objective intend intention priority prioritise prioritize schedule expect seek "
        "strive commit commitment envisage envision forecast upcoming next forthcoming roadmap determined"
    ),
    "continue": "continue ongoing further maintain sustain keep",
    "problem": (
        "problem challenge difficulty difficult lack shortage insufficient inadequate limited weak weakness poor "
        "delay constraint issue concern obstacle shortfall backlog persist encroach encroachment illegal illegally "
        "violation violate dispute conflict risk vulnerable deficit overdue unresolved slow hamper hinder struggle "
        "face short unable fail failure gap barrier complain complaint irregular irregularity abuse corruption "
        "unpaid incomplete behind shortcoming lag"
    ),
    "bad": (
        "crime accident death dead die kill injury injure casualty fatality malnutrition poverty violence "
        "trafficking drug deforestation pollution dropout mortality disease dengue outbreak illiteracy "
        "unemployment debt loss smuggling theft robbery fire flood drought storm tornado disaster landslide "
        "erosion epidemic covid pandemic stunting"
    ),
    "damage": (
        "damage destroy flood drought storm tornado lightning collapse disaster landslide erode wash sweep affect "
        "devastate inundate submerge hit strike"
    ),
    "down": "fall drop decline decrease reduce reduction cut lower shrink fewer less",
    "up": "rise increase grow growth improve expand raise higher exceed surpass double",
    "still": "still remain yet persist",
    "cause": "due because owing cause",
    "meeting": (
        "meeting chair preside attend participant video agenda ceremony forum session conference delegate "
        "welcome opening"
    ),
    "document": "annex appendix page chapter consist attach attachment source copy cc",
    "done": (
        "complete build construct repair rehabilitate provide distribute achieve reach train register resolve "
        "vaccinate collect disburse establish organise organize conduct issue arrest confiscate install upgrade "
        "deliver receive process solve inspect clear seize enrol enroll plant dig drill pave assist help handle "
        "sign launch open succeed manage implement ensure mobilise mobilize prevent rescue evacuate generate "
        "create connect allocate grant approve settle serve treat return record finish hand"
    ),
}
KHMER_CUES: dict[str, str] = {
    "future": "នឹង",
    "must": "ត្រូវ ចាំបាច់ តម្រូវ",
    "directive": "ស្នើ អំពាវនាវ បញ្ជា ណែនាំឱ្យ ជំរុញ",
    "said": "លើកឡើងថា បញ្ជាក់ថា មានប្រសាសន៍ ថ្លែងថា បានឱ្យដឹងថា រាយការណ៍ថា",
    "plan": "គ្រោង ផែនការ គោលដៅ ទិសដៅ រំពឹង ឆ្នាំខាងមុខ ឆ្នាំក្រោយ អាទិភាព",
    "continue": "បន្ត រក្សា",
    "problem": (
        "បញ្ហា ប្រឈម ខ្វះ មិនគ្រប់គ្រាន់ យឺត ពិបាក ឧបសគ្គ កង្វះ ខ្សោយ មិនទាន់ រំលោភ ទំនាស់ ហានិភ័យ ចំណុចខ្វះខាត "
        "កកស្ទះ ខុសច្បាប់ ទាប"
    ),
    "bad": "គ្រោះថ្នាក់ ស្លាប់ ជំងឺ គ្រឿងញៀន ក្រីក្រ ហិង្សា ជួញដូរ ទឹកជំនន់ រាំងស្ងួត កូវីដ ឧក្រិដ្ឋ",
    "damage": "ខូចខាត បំផ្លាញ ជន់លិច ប៉ះពាល់ បាក់ រងគ្រោះ",
    "down": "ថយចុះ ធ្លាក់ចុះ កាត់បន្ថយ",
    "up": "កើនឡើង បង្កើន លើស",
    "still": "នៅតែ",
    "cause": "ដោយសារ មូលហេតុ បណ្តាលមកពី",
    "meeting": "កិច្ចប្រជុំ អធិបតី របៀបវារៈ",
    "done": "សម្រេច បញ្ចប់ ស្ថាបនា សាងសង់ ជួសជុល ផ្តល់ ចែកចាយ ចុះបញ្ជី ដោះស្រាយ ចាក់វ៉ាក់សាំង ដាំ",
    "past": "បាន",
    "negation": "មិន ពុំ គ្មាន",
    "percent": "ភាគរយ",
}
"""The same classes for Khmer statements, as words found anywhere in the normalised text (Khmer has no spaces
between words to look words up by; ``pipeline.khmer.normalize``). "បាន" before a verb marks the past."""
PRESENT_BE = frozenset({"is", "are", "am"})
PERFECT_HAVE = frozenset({"has", "have"})


@cache
def cue_lexicon() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    """(word form → its cue classes, past-tense forms, base forms of verbs), from the English lookup tables."""
    tables = load_lookups("en", ["lemma_exc", "lemma_index"])
    irregular_verbs = tables.get_table("lemma_exc")["verb"]
    verbs = frozenset(tables.get_table("lemma_index")["verb"])
    # spaCy's Table keys the lookup by hash; the forms themselves are needed here, so read the file as shipped.
    lookup: dict[str, str] = srsly.read_gzip_json(files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz")
    classes_of_lemma: dict[str, list[str]] = {}
    for name, lemmas in CUE_LEMMAS.items():
        for lemma in lemmas.split():
            classes_of_lemma.setdefault(lemma, []).append(name)
    forms: dict[str, list[str]] = {lemma: list(names) for lemma, names in classes_of_lemma.items()}
    for form, lemma in [*lookup.items(), *((form, lemmas[0]) for form, lemmas in irregular_verbs.items())]:
        for name in classes_of_lemma.get(lemma, ()):
            if name not in forms.setdefault(form, []):
                forms[form].append(name)
    past = {
        form
        for form, lemma in lookup.items()
        if form != lemma and form.endswith("ed") and lemma in verbs
    }
    past |= {form for form, lemmas in irregular_verbs.items() if form != lemmas[0] and not form.endswith(("s", "ing"))}
    return {form: tuple(names) for form, names in forms.items()}, frozenset(past), verbs


@cache
def verb_lemmas() -> dict[str, str]:
    """Inflected verb form → its lemma: regular forms from the lookup table, irregular ones from the exceptions,
    and the modals' past forms ("would" → will, "could" → can)."""
    tables = load_lookups("en", ["lemma_exc", "lemma_index"])
    verbs = frozenset(tables.get_table("lemma_index")["verb"])
    lookup: dict[str, str] = srsly.read_gzip_json(files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz")
    lemmas = {
        form: lemma
        for form, lemma in lookup.items()
        if form != lemma and lemma in verbs and form.endswith(VERB_ENDINGS) and LEMMA.fullmatch(lemma)
    }
    for form, forms in tables.get_table("lemma_exc")["verb"].items():
        if form != forms[0] and LEMMA.fullmatch(forms[0]):
            lemmas[form] = forms[0]
    lemmas.update(MODAL_FORMS)
    return lemmas


def lemma_words(text: str) -> list[str]:
    """``lem=<lemma>`` for each inflected verb or modal of the statement, in order of first use: "built",
    "builds" and "building" all give ``lem=build``, so the model pools the evidence of a verb's forms (1,600
    training statements show most verbs in one or two forms only). Base forms get no marker: marking every word
    that can be a verb ("schools" → school, "water") doubled the evidence of nouns and cost 0.02 on wild dev."""
    lemmas = verb_lemmas()
    found = dict.fromkeys(lemmas[word] for word in WORD.findall(text.lower()) if word in lemmas)
    return [f"{LEMMA_MARKER}{lemma}" for lemma in found]


def cue_words(text: str) -> list[str]:
    """The cue marker words of one statement, in a fixed order (``CUE_LEMMAS``, then grammar, then combinations)."""
    lexicon, past_forms, verbs = cue_lexicon()
    lowered = text.lower()
    words = WORD.findall(lowered)
    found: set[str] = set()
    for word in words:
        found.update(lexicon.get(word, ()))
    if any(word in past_forms for word in words):
        found.add("past")
    for before, word in zip(words, words[1:]):
        if before in PRESENT_BE and word.endswith("ing"):
            found.add("ongoing")
        elif before in PERFECT_HAVE and word in past_forms:
            found.add("perfect")
    if words and (words[0] in verbs or (words[0] == "to" and len(words) > 1 and words[1] in verbs)):
        found.add("imperative")
    if NEGATION.search(lowered):
        found.add("negation")
    if any(character.isdigit() for character in text):
        found.add("number")
    if PERCENT.search(lowered):
        found.add("percent")
    if has_khmer(text):
        normalized = normalize(text)
        found.update(name for name, cues in KHMER_CUES.items() if any(cue in normalized for cue in cues.split()))
    if "bad" in found or "damage" in found:
        if "down" in found:
            found.add("bad_down")
        if "up" in found:
            found.add("bad_up")
    return [f"{CUE_MARKER}{name}" for name in CUE_ORDER if name in found]


CUE_ORDER = (
    *CUE_LEMMAS,
    "past", "ongoing", "perfect", "imperative", "negation", "number", "percent", "bad_down", "bad_up",
)
