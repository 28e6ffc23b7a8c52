"""Headlines for stories whose page gives none: a short line made from the lead sentence. Pure."""

from __future__ import annotations

import re

from briefing.dates import strip_dateline
from briefing.patterns import sentences

MAX_HEADLINE = 120

#: "Ministry of Health, Labour and Welfare (MHLW)" -> "MHLW"; "Medical Product designation
#: (SAKIGAKE)" -> "SAKIGAKE designation": the acronym says it in a headline's space
LONG_NAME_WITH_ACRONYM = re.compile(
    r"""(?P<long>(?:[A-Z][\w&-]*,?\s+(?:(?:of|and|for|the|&|on|in)\s+)*){2,10})  # Capitalised Words
        (?P<noun>[a-z]+\s+)?                                                    # an optional noun
        \((?P<acronym>[A-Z][A-Za-z0-9-]{1,11})\)                                # (ACRONYM)
    """,
    re.VERBOSE,
)
#: a legal form right after the subject: "AskBio Inc., a ..." reads "AskBio" in a headline
LEGAL_FORM_AFTER_SUBJECT = re.compile(
    r"^(?P<subject>[^,]{2,60}?),? (Inc|Ltd|Corp|Co|AG|plc|K\.K|LLC|S\.A|GmbH)\.?(?=[ ,])"
)
#: an appositive after the subject: ", a gene therapy company owned by Bayer AG," up to the verb
APPOSITIVE = re.compile(r",\s+(a|an|the|which|who|one of)\s[^—]*?,\s+(?=[a-z]+\b)")
#: a verb that can follow an appositive ("..., announced", "..., uses", "..., has")
_VERB = re.compile(
    r"^([a-z]+ed|[a-z]+s|has|have|had|will|is|are|was|were|today|recently|on|said|won|got|made|took|began|"
    r"saw|sold|bought|led|held|raised|struck|signed|chose|became|brought|set|cut|hit|put|won)\b"
)
#: "X announced that Y" says the same as "X says Y" in a headline
REPORTING = re.compile(r"\b(announced|said|reported|revealed|disclosed|stated|confirmed) that\b")
#: where a long headline may be cut, best first: at a clause, else before a phrase
CLAUSE_BREAKS = (
    re.compile(r"(,|;|—|–| - )"),
    re.compile(r"( in order to | to | for | with | as | after | while | following | by )"),
)


def make_headline(lead: str) -> str:
    """Make a headline of at most 120 characters from a story's lead paragraph.

    >>> make_headline("Acme Bio Inc., a gene therapy company owned by Bayer AG, announced that "
    ...               "Japan's Ministry of Health, Labour and Welfare (MHLW) granted its drug a "
    ...               "Pioneering Regenerative Medical Product designation (SAKIGAKE)—a first.")
    "Acme Bio says Japan's MHLW granted its drug a SAKIGAKE designation"
    """
    first = sentences(strip_dateline(lead.strip()))
    text = first[0] if first else lead.strip()
    text = re.split(r"\s*(?:—|–| -- )\s*", text)[0] if len(text.split("—")[0].split()) >= 6 else text
    legal = LEGAL_FORM_AFTER_SUBJECT.match(text)
    if legal:
        text = legal["subject"] + text[legal.end() :]
    text = _drop_appositive(text)
    text = LONG_NAME_WITH_ACRONYM.sub(_acronym, text)
    text = REPORTING.sub("says", text)
    text = text.strip().rstrip(".!;:,")
    return _shorten(text)


def _drop_appositive(text: str) -> str:
    match = APPOSITIVE.search(text, 0, 120)
    if match and match.start() < 80 and _VERB.match(text[match.end() :]):
        return text[: match.start()] + " " + text[match.end() :]
    return text


def _acronym(match: re.Match[str]) -> str:
    noun = match["noun"]
    return match["acronym"] + (f" {noun.strip()} " if noun else " ")


def _shorten(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= MAX_HEADLINE:
        return text
    for breaks in CLAUSE_BREAKS:
        cuts = [m.start() for m in breaks.finditer(text) if 50 <= m.start() <= MAX_HEADLINE]
        if cuts:
            return text[: cuts[-1]].rstrip(" ,;")
    return text[: MAX_HEADLINE - 1].rsplit(" ", 1)[0] + "…"
