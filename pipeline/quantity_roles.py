"""What each quantity of a statement is: work done, a plan, a stock, a share, a change, damage or a baseline.

A national total is only honest if it adds like with like: "3 more health centres were upgraded, bringing the total
to 92" holds one new centre count (3) and one stock (92); "118 km of road, including 36 km of laterite road" holds
one length and a part of it. So every quantity gets a role (``ROLES``):

* ``output`` — done in the year under review (the default), also what officers destroyed or removed and, in a
  challenge, a result that fell short ("revenue reached only KHR 36.4 billion");
* ``target`` — planned: every figure of a goal; elsewhere "the annual target of KHR 22 billion", an approved
  budget, and the plan column of a "plan | achieved" table row (all whole-number cells of one unit but the last);
* ``total`` — a stock or running total: "bringing the total to 92", "all 52 health centres" (of a kind of place or
  facility, not of people reached), the whole M of "N of the M" ("settled 29 of the 41 disputes": N keeps the role
  its verb gives it), "the fifteen communes of the district", "kept 163 factories in operation",
  "employed 71,000 workers at the end of 2020", "employing 27,000 workers", "our 7 sangkat", what a place "has"
  ("has only two staff for 9,000 people": both), "a combined length of 74.8 km", a coverage, share, vaccination or
  enrolment that "reached" / "remained at" / "rose to" a level (but a level that "remained high" is a worry:
  ``affected``), what "now" has a service (unless written as added: "2,250 more households"), what a census
  counted, "Of the 412 projects planned, ...", and the one amount of money alone in a challenge's table row;
* ``part`` — a share of another figure of the same statement: "including 36 km", "of which 5,982", "4,102 of
  them", "158 cases out of 231", "only 64 of the 300 stalls" in a challenge, or a bare number that borrows the
  unit of an earlier figure after a verb ("received 27 complaints and resolved nineteen"); it counts what its whole
  counts, or is a percentage;
* ``change`` — the amount of a rise or fall: "fell by 27%", "an increase of 18%", "17% more than in 2020", "1,150
  more than the year before"; the
  level a rise or fall reached ("fell to 198", "87%, up from 79%", "from 45% to 60%") keeps the role its words give
  it (output, or ``affected`` for harm: "dengue cases rose to 356") and holds in ``change_from`` / ``change_to``
  the values the statement gives;
* ``affected`` — damage, victims and problems: "floods damaged 62 km", "affecting 46,000 workers", "43 cases still
  pending", "2,400 workers lost their jobs", "lack of clean water in twelve villages", crimes recorded or reported
  and the level their number reached (but crimes solved or sent to court are ``output``), a share whose own words
  name the problem ("two of whom died", "nine of the 31 posts are vacant"), what "still has no" service;
* ``baseline`` — the value a change or comparison starts from: "down from 89", "from 45% to 60%".

The rules read the words between a quantity and its neighbours in the same clause (no parser: the statement
pipeline is a blank English pipeline with a classifier), so they are cheap enough for every statement. A
reviewer can correct any role in the review app (``pipeline.review``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.quantities import Quantity

ROLES = ("output", "target", "total", "part", "change", "affected", "baseline")
INHERITED_ROLES = {"affected", "target", "total"}
"""Roles a figure coordinated with the previous one shares ("destroyed 46 km of roads and 18 bridges")."""

CELL_SEPARATOR = " | "
CLAUSE_BOUNDARY = re.compile(r"[;:]|\.(?=\s|$)")
ABOUT = (
    r"(?:(?:about|around|approximately|roughly|nearly|almost|some|over|more than|less than|fewer than|at least|up to"
    r"|only|just|barely|another|a further|further)\s+)*"
)
"""Words that may stand between a cue and its number ("fell by more than 90%", "a target of about 40")."""
CHANGE_WORDS = (
    r"increase[sd]?|decrease[sd]?|rise|rose|risen|rising|fall|fell|fallen|falling|drop(?:ped|s)?|declined?|declining"
    r"|grow|grew|grown|growth|reduc(?:e|ed|tion)|climb(?:ed)?|jump(?:ed)?|went\s+(?:up|down)|cut|improved|lower|higher"
)

PART_BEFORE = re.compile(
    r"\b(?:including|includ(?:es|ed)|of\s+which|of\s+whom|among\s+(?:them|whom|which)|incl\.?)\s+(?:the\s+)?"
    + ABOUT + r"$"
)
PART_AFTER = re.compile(r"^\s*(?:of\s+(?:them|these|those|which|whom|it)\b|out\s+of\b)")
BASELINE_BEFORE = re.compile(
    r"\b(?:(?:up|down)\s+from|from|compared\s+(?:with|to)|(?<!more\s)(?<!less\s)(?<!fewer\s)than|against|versus|vs\.?)\s+"
    + ABOUT + r"$"
)
CHANGE_BY = re.compile(
    r"\b(?:" + CHANGE_WORDS + r"|up|down)\s+(?:by|of)\s+" + ABOUT + r"$|(?:,|\band)\s+(?:up|down)\s+" + ABOUT + r"$"
    r"|\b(?:beat|beaten|exceeded|surpassed|missed|overshot)\b(?:\s+[\w']+){0,4}\s+by\s+" + ABOUT + r"$"
)
MORE_THAN_AFTER = re.compile(
    r"^\s*(?:more|less|fewer|higher|lower)\s+(?:[a-z-]+\s+){0,2}?than\b|^\s*(?:above|below)\s+(?:the|its|their)\b"
)
""""17% more than in 2020", "12.5 per cent above the national average": a change."""
BY_BEFORE = re.compile(r"^[^,;]*\band\s+[\w\s-]{1,40}?\bby\s+" + ABOUT + r"$")
MULTIPLE = re.compile(r"\btimes$")
MULTIPLE_AFTER = re.compile(r"^\s*(?:times\s+)?(?:the|as|that|what)\b")
""""three times the 2022 number", "3 times as high": a multiple of an earlier value is a change."""
CHANGE_TO = re.compile(r"\b(?:" + CHANGE_WORDS + r")\s+(?:\w+\s+){0,2}?to\s+" + ABOUT + r"$")
CHANGE_FROM_TO = re.compile(r"^\s*(?:in\s+\d{4}\s+)?to\s+" + ABOUT + r"$")
UP_FROM_AFTER = re.compile(r"^(?:\s+\w+){0,3}\s*,?\s*(?:up|down)\s+from\s+" + ABOUT + r"$")
TOTAL_BEFORE = re.compile(
    r"\b(?:bringing|raising|taking|brings|raises|takes|bring|raise)\s+(?:the|its|their)\s+(?:[\w'’]+\s+)?"
    r"(?:total|number|count|stock)"
    r"(?:\s+\w+){0,3}\s+to\s+" + ABOUT + r"$"
    r"|\b(?:total|cumulative)\s+(?:number|count|stock)\s+(?:of\s+\w+(?:\s+\w+)?\s+)?"
    r"(?:is|was|stands|stood|reached|now)\s+" + ABOUT + r"$"
    r"|\b(?:area\s+under|coverage|share|proportion|participation|vaccinat\w*|immuni[sz]\w*|enrol{1,2}ment)\b.*"
    r"\b(?:reached|is|was|stood|stands|remained|remains|(?:rose|increased|grew|climbed)(?=\s+to\b))\b"
    r"(?:\s+[\w,]+){0,3}?\s+(?:at\s+)?" + ABOUT + r"$"
    r"|\b(?:remained|remains|stood|stands)(?:\s+\w+){0,2}\s+at\s+" + ABOUT + r"$"
    r"|\bnow\s+(?:\w+\s+){0,3}" + ABOUT + r"$"
    r"|\bcombined\s+(?:length|area)\s+of\s+" + ABOUT + r"$"
    r"|\b(?:has|have)\s+" + ABOUT + r"$"
    r"|\bemploy(?:ing|s)\s+" + ABOUT + r"$"
    r"|\bnumbered\s+" + ABOUT + r"$"
    r"|\b(?:census|survey|count)\b[^,;]*\bcounted\s+" + ABOUT + r"$"
)
RUNNING_TOTAL = re.compile(
    r"\b(?:bringing|raising|taking|brings|raises|takes|bring|raise)\s+(?:the|its|their)\s+(?:[\w'’]+\s+)?"
    r"(?:total|number|count|stock)(?:\s+[\w-]+){0,6}\s+to\s+" + ABOUT + r"$"
)
NUMBER_ROSE_TO = re.compile(
    r"\bnumber\s+of\s+(?:[\w-]+\s+){1,4}(?:rose|increased|grew|climbed|went\s+up)\s+to\s+" + ABOUT + r"$"
)
""""the number of registered cooperatives rose to 64": the level of a count of things that last is a stock."""
OF_THE_WHOLE = re.compile(r"^\s*of\s+(?:the|its|their)\s+" + ABOUT + r"$")
""""rebuilt 47 km of the 62 km": the second figure is the whole the first is taken from."""
OF_THE_OPENING = re.compile(r"^\W*of\s+(?:the|its|their|our|all)\s+" + ABOUT + r"$")
"""Explicit enough to hold even in a goal ("Set up two more fisheries, bringing the total to six")."""
TOTAL_AFTER = re.compile(
    r"^[^,;]{0,40}?\b(?:in\s+operation|to\s+date|so\s+far(?!\s+(?:in|this)\s+(?:the\s+)?year)|in\s+all|altogether|at\s+the\s+end\s+of\s+(?:the\s+year|\d{4}))\b"
    r"|^\s+(?:\w+\s+){0,2}of\s+the\s+(?:district|province|municipality|khan|capital|city|country)\b"
    r"|^[^,;]{0,30}?\bnow\b"
)
PER_TIME_AFTER = re.compile(r"^[^,;]*?\b(?:a|per|each|every)\s+(?:day|week|month)\b")
ADDED = re.compile(r"\b(?:more|new|additional|extra)\b")
ALL_BEFORE = re.compile(r"\b(?:all|entire|whole|each\s+of)\s+(?:the\s+|its\s+|their\s+)?$")
OWNED_BEFORE = re.compile(r"\b(?:our|its|their|[a-z]+['’]s)\s+$")
""""our 12 communes", "the district's 15 health posts": the places it has, a stock."""
REMAINED_HIGH = re.compile(r"\bremain(?:ed|s)?\s+(?:very\s+|too\s+|stubbornly\s+)?high\s+at\s+" + ABOUT + r"$")
""""the dropout rate remained high at 21.7%": a level that is a worry."""
FOR_BEFORE = re.compile(r"^\s*\w*\s+for\s+" + ABOUT + r"$")
""""has only two staff for 9,000 people": the people the stock serves are a stock too."""
WHOLE_AFTER = re.compile(r"^\s*of\s+(?:the|its|their|our|those|these)\s+" + ABOUT + r"$")
""""only 64 of the 300 stalls" in a challenge: the share is a part of the whole, not harm of its own."""
MORE_TEXT = re.compile(r"\b(?:more|less|fewer)$")
THE_BEFORE = re.compile(r"\bthe\s+$")
STOCK_UNITS = {"communes", "villages", "schools", "classrooms", "health_centres", "wells", "count", "km", "ha", "m"}
"""Units of places and facilities: "all 52 health centres" is a stock; "all 4,210 returning workers" were reached."""
INTENTION = re.compile(
    r"\b(?:plans?\s+to|planning\s+to|(?:is|are|was|were)\s+planned|aims?|aimed|intends?|intended|will|shall|should"
    r"|must|needs?\s+to|required\s+to|is\s+to|are\s+to|instructed|requested|urged|recommend(?:s|ed)?|proposes?"
    r"|proposed)\b"
)
"""Words that make what follows a plan, whatever the statement's kind ("The province plans to pave 8 km")."""
IMPERATIVE = re.compile(
    r"^\W*(?:\d+\W+)?(?:build|repair|rebuild|pave|drill|dig|place|plant|set|extend|equip|put|desilt|raise|increase|"
    r"reduce|cut|train|connect|install|rehabilitate|restore|complete|finish|register|resolve|settle|collect|provide|"
    r"hire|lay|give|strengthen|support|recruit|maintain|upgrade|construct|open|clear|clean|protect|relocate|expand|"
    r"achieve|ensure|reach|vaccinate|distribute|organise|organize|hold|create|establish|improve|prepare|issue|"
    r"introduce|launch|request|mobilise|mobilize|continue|promote|speed|update|review|enforce|attract|conduct)\b",
    re.IGNORECASE,
)
"""A clause or table cell that starts with a verb's base form is an instruction or a plan ("Pave 6 km of
streets", "3 | Plant shade trees | 800 trees")."""
CLEAR_IMPERATIVE = re.compile(
    r"^\W*(?:build|repair|rebuild|pave|drill|dig|extend|equip|put|desilt|raise|reduce|train|connect|install|"
    r"rehabilitate|restore|complete|finish|register|resolve|settle|provide|hire|lay|give|strengthen|recruit|maintain|"
    r"upgrade|construct|relocate|expand|achieve|ensure|vaccinate|distribute|create|establish|improve|prepare|"
    r"introduce|launch|mobilise|mobilize|continue|promote|enforce|attract|conduct)\b",
    re.IGNORECASE,
)
"""Verbs that start an instruction even in a statement classified as an achievement: none of them is also a noun
that could start a report of work done ("Clean water now reaches 73%" is not an instruction)."""
TARGET_BEFORE = re.compile(
    r"\b(?:target|targets|targeted|plan|planned|goal|objective|forecast|projection|projected)\b(?:\s+\w+){0,3}?"
    r"\s+(?:of|was|is|at|to)\s+" + ABOUT + r"$"
    r"|\b(?:approved|adopted)\b.*\b(?:budget|programme|program|plan)\b(?:\s+\w+){0,3}?"
    r"\s+(?:of|worth|totalling|totaling)\s+" + ABOUT + r"$"
)
AFFECTED_BEFORE = re.compile(
    r"\b(?:damag(?:ed|ing|es)|destroy(?:ed|ing|s)|affect(?:ed|ing|s)|inundat(?:ed|ing)|submerg(?:ed|ing)|washed\s+away"
    r"|swept\s+away|dried\s+up|kill(?:ed|ing)|injur(?:ed|ing)|flooding\s+of|concern\s+for|lack\s+of|shortage\s+of|not\s+(?:yet\s+)?\w+ed"
    r"|still\s+(?:without|lack)|victims?\s+of|hit"
    r"|lost|los(?:e|ing)|encroach(?:ed|ing)?|infect(?:ed|ing)|broke(?!\s+up)|broken|cracked(?!\s+down)|cut|burn(?:ed|t))\b"
    r"[^,;]*$"
    r"|\bflood\w*\b[^,;]*\b(?:covered|reached|hit)\b[^,;]*$"
)
ENFORCED = re.compile(
    r"\b(?:officers?|police|rangers?|patrols?|inspectors?|authorities|soldiers|guards?)\b[^,;]*"
    r"\b(?:destroy(?:ed|s)?|burn(?:ed|t|s)?|demolish(?:ed|es)?|dismantl(?:ed|es)|removed)\b"
)
"""Officers who destroyed or removed something did their work ("fisheries officers destroyed 146 electric fishing
devices"): damage words then name what they acted on, not harm."""
AFFECTED_AFTER = re.compile(
    r"^(?:(?!\b(?:whose|who|which|by)\b)[^,;])*?\b(?:"
    r"(?:were|was|are|is|have\s+been|had\s+been|remain(?:ed|s)?|still)\s+(?:\w+ly\s+|still\s+|being\s+|yet\s+)?"
    r"(?:affected|damaged|destroyed|flooded|inundated|submerged|suspended|pending|unresolved|closed|killed|injured|"
    r"lost|missing|ordered\s+to\s+close)"
    r"|lost|suspended|died|dried\s+(?:up|out)|unresolved|pending|did\s+not|do\s+not|does\s+not|not\s+yet"
    r"|(?:are|were)\s+without|(?:were|was|are|is|had|has|have)\s+(?:still\s+)?not|still\s+not|could\s+not|cannot"
    r"|lacked|sunk|blown|cracked(?!\s+down)|short\s+of|under\s+water|(?:has|have|had)\s+no"
    r"|in\s+(?:bad|poor)\s+(?:condition|repair|shape))\b"
)
"""A verb after the figure's noun that makes it damage or a problem ("2,400 workers lost their jobs", "43 cases
still pending"); a participle with "by" only describes it ("families affected by the floods" were helped)."""
REGISTERED = re.compile(r"\bregist(?:ered|ering|ers?|ration)\b")
AFFECTED_OWN = re.compile(r"\b(?:deaths|dead|fatalities|casualties|injured|confirmed|infected)\b", re.IGNORECASE)
"""The figure's own words name harm ("23 deaths", "six confirmed cases")."""
PERIOD = re.compile(
    r"\b(?:between|from)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{4})?\s+(?:and|to|until)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)(?:\s+\d{4})?"
    r"|\b(?:in|during)\s+the\s+(?:first|second|third|fourth|last|final)\s+(?:quarter|half|semester)(?:\s+of\s+(?:the\s+year|\d{4}))?"
    r"|\b(?:each|every|per)\s+(?:month|year|week)\b"
    r"|\b(?:since|from)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)(?:\s+\d{4})?"
    r"|\b(?:in|during|for|by(?:\s+the\s+end\s+of)?|before(?:\s+the\s+end\s+of)?|at\s+the\s+end\s+of)\s+(?:the\s+)?(?:year\s+)?(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?\b"
    r"|\b(?:during|in|over)\s+the\s+(?:year|past\s+year|reporting\s+period)\b"
    r"|\b(?:next|the\s+coming)\s+year\b",
    re.IGNORECASE,
)


def assign_roles(text: str, quantities: list[Quantity], kind: str | None = None) -> list[Quantity]:
    """The statement's quantities with ``role``, ``period``, ``cumulative`` and a change's from/to values set."""
    if not quantities:
        return quantities
    roles, rates = _table_roles(text, quantities)
    quantities = [_as_percentage(q) if index in rates else q for index, q in enumerate(quantities)]
    result: list[Quantity] = []
    for index, quantity in enumerate(quantities):
        role = roles.get(index) or _role(text, quantities, index, kind, plan_row=bool(roles))
        if role in ("output", "affected") and index and result[-1].role == "total":
            if FOR_BEFORE.match(_window(text, quantities, index)[0].lower()):
                role = "total"  # "has only two staff for 9,000 people"
        if role == "output" and index and result[-1].role in INHERITED_ROLES:
            if _coordinated(_window(text, quantities, index)[0].lower()):
                role = result[-1].role
        period = _period(text, quantity, *_window(text, quantities, index))
        result.append(replace(quantity, role=role, cumulative=role == "total", period=period))
    return _link_changes(text, result)


def _role(text: str, quantities: list[Quantity], index: int, kind: str | None, plan_row: bool = False) -> str:
    """The role the words around the figure give it; ``plan_row``: the statement is a "plan | result" table row,
    whose result is work done even when it falls short (a challenge)."""
    quantity = quantities[index]
    before, after = _window(text, quantities, index)
    low_before, low_after = before.lower(), after.lower()
    if BASELINE_BEFORE.search(low_before) and _from_a_value(low_before, low_after, _clause_before(text, quantity)):
        return "baseline"
    if RUNNING_TOTAL.search(low_before) or (index and OF_THE_WHOLE.match(low_before)):
        return "total"
    if not index and len(quantities) > 1 and OF_THE_OPENING.match(low_before):
        return "total"  # "Of the 412 projects planned, 389 were completed": the whole the next figure is taken from
    if PART_BEFORE.search(low_before) and (quantity.unit == "percent" or _unit_before(quantities, index)):
        return "part"  # "118 km, including 36 km"; but "spent KHR 1.8 billion on small works, among them 5.6 km"
    if PART_AFTER.search(low_after) and _whole_in_statement(text, quantities, index):
        return "affected" if _share_harmed(PART_AFTER.sub("", low_after, count=1)) else "part"
    if kind == "goal" or _planned(text, quantity, imperative=kind != "achievement"):
        return "target"
    if ONLY_BEFORE.search(low_before) and WHOLE_AFTER.match(low_after) and index + 1 < len(quantities):
        return _share_role(text, quantities, index)  # "Only three of the twelve offices have ..."
    if CHANGE_BY.search(low_before) or MORE_THAN_AFTER.search(low_after):
        return "change"
    if index and BY_BEFORE.search(low_before) and CHANGE_BY.search(_window(text, quantities, index - 1)[0].lower()):
        return "change"  # "accidents fell by 22% and deaths by 16%": the verb is left out
    if quantity.text.lower() in ("doubled", "twice", "double"):
        return "change"  # "disputes doubled", "twice as many as in 2019"
    if MORE_TEXT.search(quantity.text.lower()) and low_after.lstrip().startswith("than"):
        return "change"  # "1,150 more than the year before"
    if (MULTIPLE.search(quantity.text.lower()) or low_after.startswith(" times")) and MULTIPLE_AFTER.match(low_after):
        return "change"
    if TARGET_BEFORE.search(low_before):
        return "target"
    if _is_level(text, quantities, index) and HARM_SUBJECT.search(_clause_before(text, quantity)):
        return "affected"  # "dengue cases rose to 356": the level of a harm
    if REMAINED_HIGH.search(low_before):
        return "affected"
    if _crime_that_happened(text, quantity, low_after):
        return "affected"  # "the police recorded 24 crimes", "cut the number of thefts to 19"
    enforced = ENFORCED.search(_clause_before(text, quantity)) is not None
    if (AFFECTED_BEFORE.search(low_before) and not enforced) or AFFECTED_AFTER.search(_after_phrase(low_after)):
        return "affected"
    if AFFECTED_OWN.search(quantity.text) and not REGISTERED.search(_clause_before(text, quantity)):
        return "affected"  # but "registered 3,407 births, 612 marriages and 1,188 deaths" is civil registration
    stock = TOTAL_BEFORE.search(low_before) or TOTAL_AFTER.search(low_after)
    if stock and not ADDED.search(quantity.text.lower()) and not PER_TIME_AFTER.match(low_after):
        return "total"  # but "2,250 more households now receive" were added, "now collects 14.5 t a day" is a flow
    if quantity.unit in STOCK_UNITS and (ALL_BEFORE.search(low_before) or OWNED_BEFORE.search(low_before)):
        return "total"  # "all 52 health centres", "our 7 sangkat"
    if quantity.unit in STOCK_UNITS and THE_BEFORE.search(low_before) and TOTAL_AFTER.search(low_after):
        return "total"
    if quantity.unit in STOCK_UNITS and NUMBER_ROSE_TO.search(_clause_before(text, quantity)):
        return "total"
    if quantity.unit in ("communes", "villages") and THE_BEFORE.search(low_before):
        return "total"  # "across the eight sangkats": all of them
    if _doers_of_the_work(text, quantities, index, low_before):
        return "total"  # "the 14 district offices delivered 11,876 services": the offices are a stock
    if quantity.refers_to is not None and _after_verb(low_before):
        return "part"  # "received 27 complaints and resolved nineteen"
    if kind == "challenge" and _value_of_a_listed_work(text, quantities, index):
        return "total"  # "Bridge at Prek Kak | 2,100,000,000 | Not started": what the delayed work is worth
    if kind == "challenge" and quantity.unit != "percent" and not plan_row and not _is_level(text, quantities, index):
        # a challenge reports a problem ("37 complaints reached the district hall"), unless the figure is a share
        if not WHOLE_AFTER.match(low_after):
            # "revenue reached only KHR 36.4 billion": the year's result, falling short (but not a price "per kg")
            short = SHORT_OF_RESULT.search(low_before) and not PER_AFTER.match(low_after)
            return "output" if short else "affected"
        return _share_role(text, quantities, index)
    return "output"


def _unit_before(quantities: list[Quantity], index: int) -> bool:
    """Whether an earlier figure of the statement counts what this one does (a part shares its whole's unit)."""
    return any(q.unit == quantities[index].unit for q in quantities[:index])


SHARE_HARM = re.compile(
    r"^[^,;]*?\b(?:remain(?:s|ed)?\s+open|(?:are|were|is|was|remain(?:s|ed)?)\s+(?:still\s+)?vacant)\b"
)


def _share_role(text: str, quantities: list[Quantity], index: int) -> str:
    """The role of the share N in "N of the M": ``affected`` when the words after its whole M name the problem
    ("nine of the 31 posts are vacant"), else ``part``."""
    after_whole = _window(text, quantities, index + 1)[1].lower() if index + 1 < len(quantities) else ""
    return "affected" if _share_harmed(after_whole) else "part"


def _share_harmed(after: str) -> bool:
    """"39 of them remain open", "two of whom died", "nine of the 31 posts are vacant": the share is the problem."""
    phrase = _after_phrase(after)
    return AFFECTED_AFTER.search(phrase) is not None or SHARE_HARM.search(phrase) is not None


CRIME = re.compile(
    r"\b(?:crimes?|criminal|offen[cs]es?|thefts?|robber(?:y|ies)|burglar(?:y|ies)|scams?|trafficking|smuggling"
    r"|violence)\b"
)
CRIME_COUNTED = re.compile(r"\b(?:recorded|reported|registered|counted|logged)\b|\bto\s+" + ABOUT + r"$")
CRIME_ACTED_ON = re.compile(
    r"\b(?:solv\w*|sent|sending|brought|bringing|handed|referred|court|prosecut\w*|arrest\w*|crack\w*|"
    r"confiscat\w*|seiz\w*|investigat\w*|settl\w*|resolv\w*|punish\w*|fined)\b"
)


def _crime_that_happened(text: str, quantity: Quantity, after: str) -> bool:
    """Crimes recorded or reported, or the level their number reached, are harm; crimes the authorities solved or sent
    to court are their work (the verbs of its own clause decide, up to the next "and")."""
    own = _clause_before(text, quantity) + quantity.text.lower() + re.split(r",|\band\b", after, maxsplit=1)[0]
    if not CRIME.search(own) or CRIME_ACTED_ON.search(own):
        return False
    return CRIME_COUNTED.search(own) is not None or CHANGE_WORD.search(_clause_before(text, quantity)) is not None


ONLY_BEFORE = re.compile(r"\b(?:only|just)\s+$")
SHORT_OF_RESULT = re.compile(r"\b(?:only|just|barely|fewer\s+than|less\s+than)\s+(?:about\s+|around\s+)?$")
"""In a challenge, a figure after "only" or "fewer than" is a result that fell short, not harm of its own."""
PER_AFTER = re.compile(r"^\s*(?:per|each|a\s+(?:kg|kilo\w*|tonne|ton|litre|liter|unit|head|piece|bag|sack))\b")


def _value_of_a_listed_work(text: str, quantities: list[Quantity], index: int) -> bool:
    """In a table row, the one amount of money standing alone in its cell is the value of the work the row names."""
    quantity = quantities[index]
    if CELL_SEPARATOR not in text or quantity.unit not in ("riel", "usd"):
        return False
    alone = _cell(text, quantity).strip() == quantity.text.strip()
    return alone and sum(q.unit == quantity.unit for q in quantities) == 1


def _whole_in_statement(text: str, quantities: list[Quantity], index: int) -> bool:
    """"N of them" is a part when the statement itself names the whole: a figure before it, "out of M" after it, or a
    clause before it ("Most cooperatives lack storage, and only nine of them ..."); "The commission settled 21 of
    them" points to an earlier sentence, and its figure keeps the role its verb gives it."""
    quantity = quantities[index]
    if index + 1 < len(quantities) and re.match(r"\s*out\s+of\b", text[quantity.end :].lower()):
        return True  # "158 cases out of 231"
    return index > 0 or re.search(r"[,;:]", text[: quantity.start]) is not None


def _doers_of_the_work(text: str, quantities: list[Quantity], index: int, before: str) -> bool:
    """A statement's first figure, "the N <places or offices>", that does the work a later figure of its clause
    counts: all the offices there are, not new ones."""
    quantity = quantities[index]
    if index or quantity.unit not in STOCK_UNITS or not THE_BEFORE.search(before) or len(quantities) < 2:
        return False
    if re.search(r"\bnew\b", quantity.text.lower()):
        return False
    return not CLAUSE_BOUNDARY.search(text[quantity.end : quantities[1].start])


TO_LEVEL = re.compile(r"(?:^|,)\s*to\s+" + ABOUT + r"$")
HARM_SUBJECT = re.compile(
    r"\b(?:accidents?|deaths?|dead|injur\w*|dengue|malaria|diseases?|outbreaks?|drop-?outs?|drop-?out\s+rate"
    r"|victims?|fires?|repetition|repeaters?|stunting|malnutrition|complaints?)\b"
)
"""What a level reached ("rose to 356") counts when it is harm."""


def _is_level(text: str, quantities: list[Quantity], index: int) -> bool:
    """The value a rise or fall reached ("rose to 214", "87%, up from 79%", "from 45% to 60%"): the year's own
    value, which keeps the role its words give it (output, affected, total); only the amount of a rise or fall
    ("by 27%", "an increase of 312") is a ``change``."""
    quantity = quantities[index]
    before, after = _window(text, quantities, index)
    low_before, low_after = before.lower(), after.lower()
    if CHANGE_TO.search(low_before) or UP_FROM_AFTER.search(low_after):
        return True
    if index and TO_LEVEL.search(low_before) and CHANGE_BY.search(_window(text, quantities, index - 1)[0].lower()):
        return True  # "fell by 58% compared with 2021, to 2,147"
    if index and CHANGE_FROM_TO.search(low_before) and quantities[index - 1].unit == quantity.unit:
        return BASELINE_BEFORE.search(_window(text, quantities, index - 1)[0].lower()) is not None
    return False


COORDINATION = re.compile(r"^[^,;]*?(?:\band|,)\s+" + ABOUT + r"$")
VERB = re.compile(
    r"\b(?:\w+ed|built|paid|held|made|gave|took|sent|lost|dug|won|kept|set|put|spent|met|brought|bought|sold|"
    r"taught|began|grew|fell|rose|reached|remains?|is|are|was|were|has|have|had)\b"
)


def _coordinated(before: str) -> bool:
    """"damaged 62 km of road and 3,100 ha of rice": the second figure shares the verb (and role) of the first."""
    return COORDINATION.search(before) is not None and VERB.search(before) is None


def _window(text: str, quantities: list[Quantity], index: int) -> tuple[str, str]:
    """The words between the quantity and its neighbours (or the edges of its clause or table cell)."""
    quantity = quantities[index]
    start = quantities[index - 1].end if index else 0
    end = quantities[index + 1].start if index + 1 < len(quantities) else len(text)
    before, after = text[start : quantity.start], text[quantity.end : end]
    cell_before = before.rfind(CELL_SEPARATOR.strip())
    if cell_before >= 0:
        before = before[cell_before + 1 :]
    cell_after = after.find(CELL_SEPARATOR.strip())
    if cell_after >= 0:
        after = after[:cell_after]
    boundaries = list(CLAUSE_BOUNDARY.finditer(before))
    if boundaries:
        before = before[boundaries[-1].end() :]
    boundary = CLAUSE_BOUNDARY.search(after)
    if boundary:
        after = after[: boundary.start()]
    return before, after


def _after_phrase(after: str) -> str:
    """What follows a quantity up to the next comma (a passive verb after its noun: "N households were affected")."""
    return after.split(",", 1)[0]


def _from_a_value(before: str, after: str, clause_before: str) -> bool:
    """"from" starts a baseline only in a change ("from 45% to 60%", "rose to 82%, from 71%"), not in "collect waste
    from 9,400 households"."""
    if not FROM_BEFORE.search(before) or UP_FROM_BEFORE.search(before):
        return True
    return bool(TO_AFTER.match(after) or CHANGE_WORD.search(clause_before))


def _clause_before(text: str, quantity: Quantity) -> str:
    clause_start = max((m.end() for m in CLAUSE_BOUNDARY.finditer(text, 0, quantity.start)), default=0)
    return text[clause_start : quantity.start].lower()


FROM_BEFORE = re.compile(r"\bfrom\s+" + ABOUT + r"$")
UP_FROM_BEFORE = re.compile(r"\b(?:up|down)\s+from\s+" + ABOUT + r"$")
TO_AFTER = re.compile(r"^(?:\s+[\w%]+){0,3}?\s+to\b")
CHANGE_WORD = re.compile(r"\b(?:" + CHANGE_WORDS + r")\b")


REPORTED_AFTER = re.compile(
    r"^\s*(?:(?!that\b|which\b|who\b|whom\b|to\b)[\w'’-]+\s+){0,5}?(?:were|was|(?:had|have|has)\s+been)\b"
)
"""The figure is the subject of its own clause in the past ("..., and two pupils were hit by cars"): what an earlier
"must" or "will" intends does not reach it."""


def _planned(text: str, quantity: Quantity, imperative: bool) -> bool:
    """An intention before the figure in its clause, or (unless the statement reports an achievement, where "Clean
    water now reaches 73%" starts with a noun) a clause or table cell that starts with an instruction."""
    before = text[max((m.end() for m in CLAUSE_BOUNDARY.finditer(text, 0, quantity.start)), default=0) : quantity.start]
    if INTENTION.search(before.lower()):
        return not REPORTED_AFTER.match(text[quantity.end :].lower())
    if not imperative:
        return CLEAR_IMPERATIVE.match(before) is not None and CELL_SEPARATOR not in text
    if CELL_SEPARATOR in text:
        cells = text[: quantity.start].split(CELL_SEPARATOR.strip())
        return any(IMPERATIVE.match(cell) for cell in cells)
    return IMPERATIVE.match(before) is not None


VERB_BEFORE = re.compile(r"\b(?:and|then)\s+\w+(?:ed|t)\s+$|\b\w+ed\s+$")


def _after_verb(before: str) -> bool:
    return VERB_BEFORE.search(before) is not None


def _table_roles(text: str, quantities: list[Quantity]) -> tuple[dict[int, str], set[int]]:
    """In a "label | plan | achieved | remark" row, the whole-number cells of one unit: all but the last are the
    plan (``target``), the last is the result; a last cell that is the result as a percentage of the plan ("140 |
    152.5 | 109") is returned apart (the second set), being a rate and not a figure of the label's unit."""
    if CELL_SEPARATOR not in text:
        return {}, set()
    whole: dict[str, list[int]] = {}
    cells = [index for index, q in enumerate(quantities) if _cell(text, q).strip() == q.text.strip()]
    roles, rates = {}, set()
    if len(cells) >= 3:
        plan, result, last = (quantities[i] for i in cells[-3:])
        bare = BARE_NUMBER.match(last.text) is not None
        if bare and plan.unit == result.unit != last.unit and _rate_of_plan(plan.value, result.value, last.value):
            rates.add(cells[-1])  # "12 km | 12.4 km | 103": the rate has no unit of its own
            cells = cells[:-1]
    for index in cells:
        whole.setdefault(quantities[index].unit, []).append(index)
    for indices in whole.values():
        if len(indices) >= 3 and _rate_of_plan(*(quantities[i].value for i in indices[-3:])):
            rates.add(indices[-1])
            indices = indices[:-1]
        for index in indices[:-1]:
            roles[index] = "target"
    return roles, rates


BARE_NUMBER = re.compile(r"^\s*[\d.,]+\s*$")


def _as_percentage(quantity: Quantity) -> Quantity:
    """A rate-of-plan cell: the number as written, in percent, counting nothing."""
    value: float | None
    try:
        value = float(quantity.text.replace(",", ""))
    except ValueError:
        value = quantity.value
    return replace(quantity, value=value, unit="percent", object=None, refers_to=None)


def _rate_of_plan(plan: float | None, result: float | None, rate: float | None) -> bool:
    """Whether ``rate`` is ``result`` as a percentage of ``plan`` (to the rounding of a report)."""
    if not plan or result is None or rate is None:
        return False
    share = 100 * result / plan
    return any(abs(share * scale - rate) <= max(0.6, 0.01 * share) * scale for scale in (1, 1e3, 1e6, 1e9))


def _cell(text: str, quantity: Quantity) -> str:
    start = text.rfind(CELL_SEPARATOR, 0, quantity.start)
    start = 0 if start < 0 else start + len(CELL_SEPARATOR)
    end = text.find(CELL_SEPARATOR, quantity.end)
    cell = text[start : end if end >= 0 else len(text)]
    return cell.removesuffix(CELL_SEPARATOR.rstrip())  # a row that ends with an empty cell: "1,500 | 1,732 |"


def _period(text: str, quantity: Quantity, before: str, after: str) -> str | None:
    """The period next to the quantity, else one its clause names before it ("Between March and December, ...")."""
    for window in (after, before):
        match = PERIOD.search(window)
        if match:
            return " ".join(match.group().split())
    clause_start = max((m.end() for m in CLAUSE_BOUNDARY.finditer(text, 0, quantity.start)), default=0)
    matches = list(PERIOD.finditer(text, clause_start, quantity.start))
    return " ".join(matches[-1].group().split()) if matches else None


def _link_changes(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """A change or a level reached takes the values it moved from and to: "fell to 198" (to), "87%, up from 79%"
    (from 79 to 87), "from 45% to 60%" (from 45 to 60)."""
    linked = list(quantities)
    for index, quantity in enumerate(quantities):
        if quantity.role != "change" and not _is_level(text, quantities, index):
            continue
        before, _ = _window(text, quantities, index)
        low = before.lower()
        baselines = [
            q
            for position, q in enumerate(quantities)
            if q.role == "baseline" and q.unit == quantity.unit and abs(position - index) == 1
        ]
        change_from = baselines[0].value if baselines else None
        by = CHANGE_BY.search(low) is not None
        change_to = None if by else quantity.value
        linked[index] = replace(quantity, change_from=change_from, change_to=change_to)
    return linked
