"""Products discovery: code names ("AB-1005"), INN stems ("troculeucel") and brands, as one therapy each. Pure.

A product written with its other names beside it ("zanoleucel (KZ-204)", "Brandix
(zanoleucel)") is one finding, named by its INN, else its code name, else its brand.
The stems and exclusions live in data/discovery.yaml.
"""

from __future__ import annotations

import re

from briefing.discover import DiscoveryRules, Finding

#: what sits in brackets after a product's name: "(KZ-204)", "(Brandix, formerly KZ-204)"
BRACKETS_AFTER = re.compile(r"^\s*\((?P<inside>[^()]{2,80})\)")
#: a brand written before a product's INN or code: "Brandix (zanoleucel)"
BRAND_BEFORE = re.compile(r"(?P<brand>\b[A-Z][a-zA-Z0-9-]{2,30}(?: [A-Z][a-zA-Z0-9-]{1,20})?)\s*\($")
#: words in brackets that introduce another name of the same thing
_ALSO = re.compile(r"^(?:also known as|formerly|previously|aka|brand name|trade name|code name)\s+", re.IGNORECASE)
#: a code name: letters, optional hyphen, digits ("AB-1005", "KZ-204"), not inside a longer word.
#: Its first capital comes before the check on the character in front of it ("(?<![\w-])"
#: looked at from one character on): a pattern that starts with a character class lets the
#: regex engine skip from capital to capital, a third of the time of trying every character.
CODE_NAME = re.compile(
    r"""(?P<code>
        [A-Z](?<![\w-][A-Z])  # a capital with no letter, digit or hyphen before it
        [A-Z]{0,4}-?\d{3,5}[A-Za-z]?
    )(?![\w-])""",
    re.VERBOSE,
)
#: a year hiding in a code-like token: "FY2025" is not a product
_YEAR_CODE = re.compile(r"^[A-Z]{1,3}(19|20)\d{2}$")
#: an INN-like word: eight letters at least, lower case after the first (the stems are checked after)
INN_WORD = re.compile(r"(?<![\w-])[A-Za-z][a-z]{7,}(?![\w-])")


def find_products(text: str, rules: DiscoveryRules) -> list[Finding]:
    """Every product the code-name and INN rules find in a clean text, linked to its other names."""
    return _link_product_names(text, _code_names(text, rules) + _inn_names(text, rules))


def _link_product_names(text: str, products: list[Finding]) -> list[Finding]:
    """One finding per product for a brand, INN and code name written together.

    "zanoleucel (KZ-204)", "KZ-204 (zanoleucel)", "Brandix (zanoleucel)", "zanoleucel
    (Brandix, formerly KZ-204)": the INN names the product, else the code name.
    """
    merged: list[Finding] = []
    absorbed: set[int] = set()
    for finding in products:
        if finding.start in absorbed:
            continue
        names = [finding.name, *finding.spellings]
        start, end = finding.start, finding.end
        inside = BRACKETS_AFTER.match(text[end : end + 90])
        if inside:
            offset = end + inside.start("inside")
            for raw in re.split(r"[,;]\s*", inside["inside"]):
                part_start = offset + inside["inside"].find(raw)
                part = _ALSO.sub("", raw.strip())
                other = next(
                    (f for f in products if f.start >= part_start and f.name.casefold() == part.casefold()), None
                )
                if other is not None:
                    absorbed.add(other.start)
                    names += [other.name, *other.spellings]
                elif re.fullmatch(r"[A-Z][a-zA-Z0-9-]{2,30}", part):
                    names.append(part)
            end = end + inside.end()
        brand = BRAND_BEFORE.search(text[max(0, start - 40) : start])
        if brand and text[end - 1 : end] != ")" and text[finding.end : finding.end + 1] == ")":
            names.append(brand["brand"])
        display = _product_name(names)
        merged.append(Finding("therapies", display, tuple(dict.fromkeys(names)), start, end, finding.rule))
    return merged


def _product_name(names: list[str]) -> str:
    """The INN (a lower-case word) if there is one, else the code name, else the brand."""
    inn = next((n for n in names if n[:1].islower()), None)
    code = next((n for n in names if CODE_NAME.fullmatch(n)), None)
    return inn or code or names[0]


def _code_names(text: str, rules: DiscoveryRules) -> list[Finding]:
    findings = []
    for match in CODE_NAME.finditer(text):
        code = match["code"]
        if code in rules.not_code_names or _YEAR_CODE.match(code):
            continue
        findings.append(Finding("therapies", code, (code,), match.start(), match.end(), "code-name"))
    return findings


def _inn_names(text: str, rules: DiscoveryRules) -> list[Finding]:
    findings: list[Finding] = []
    for match in INN_WORD.finditer(text):
        word = match.group()
        folded = word.casefold()
        if folded in rules.not_inn_words or not folded.endswith(rules.inn_stems):
            continue
        if word[0].isupper() and text[max(0, match.start() - 2) : match.start()].strip() not in ("", ".", "\n"):
            continue  # a capitalised word mid-sentence is a name, not an INN
        previous = findings[-1] if findings else None
        if previous and text[previous.end : match.start()] == " ":
            joined = f"{previous.name} {folded}"
            findings[-1] = Finding("therapies", joined, (joined,), previous.start, match.end(), "inn-stem")
            continue
        findings.append(Finding("therapies", folded, (word,), match.start(), match.end(), "inn-stem"))
    return findings
