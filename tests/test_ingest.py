"""Ingest: every encoding editors' files come in, and clear refusals for what is not text."""

from __future__ import annotations

import codecs
import random
import re
import re._constants as sre_constants
import re._parser as sre_parser
from typing import Any

import ftfy
import pytest
from ftfy.badness import BADNESS_RE

from briefing.errors import ContentError
from briefing.ingest import MOJIBAKE_WIDTH, decode, may_be_mojibake, normalise_text, sniff_format

TEXT = "Astellas Pharma and Sumitomo Pharma expand iPSC work in Osaka — “a first”, said Dr. Sato."
JAPANESE = "アステラス製薬は大阪でiPS細胞の研究を拡大する。再生医療の新しい時代が始まる。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16"),
        (TEXT.encode("utf-16-be"), "utf-16"),
    ],
)
def test_unicode_encodings_decode_exactly(data: bytes, encoding: str) -> None:
    decoded, notes = decode(data, "seeds/a.txt")
    assert decoded.text.lstrip("\ufeff") in (TEXT, JAPANESE)
    assert decoded.encoding == encoding
    assert notes == []


@pytest.mark.parametrize("codec", ["shift_jis", "euc_jp"])
def test_japanese_legacy_encodings_decode_with_a_warning(codec: str) -> None:
    decoded, notes = decode((JAPANESE * 3).encode(codec), "seeds/jp.txt")
    assert JAPANESE in decoded.text
    assert len(notes) == 1 and str(notes[0]).startswith("seeds/jp.txt:1: warning: not UTF-8")


def test_windows_1252_decodes_curly_quotes() -> None:
    text = "The company’s “breakthrough” therapy costs €300,000 — analysts said so. " * 4
    decoded, notes = decode(text.encode("cp1252"), "seeds/w.txt")
    assert "“breakthrough”" in decoded.text and "€300,000" in decoded.text
    assert notes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\t \n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (bytes(range(256)) * 4, "binary file"),
    ],
)
def test_what_is_not_text_is_refused_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(ContentError) as caught:
        decode(data, "seeds/bad.bin")
    assert str(caught.value.diagnostic).startswith("seeds/bad.bin:")
    assert message in str(caught.value.diagnostic)


def test_normalise_text_unifies_line_ends_and_drops_invisible_characters() -> None:
    assert normalise_text("a\r\nb\rc\u200bd\x07e\u00ad") == "a\nb\ncde"
    assert normalise_text("Cafe\u0301") == "Café"


def test_sniff_format_by_name_and_by_content() -> None:
    assert sniff_format("plain words", ".html") == "html"
    assert sniff_format("<!DOCTYPE html><html><body><p>x</p></body></html>", ".txt") == "html"
    assert sniff_format("A line.\nAnother line with <b>bold</b>.", ".txt") == "text"


def test_mojibake_is_repaired() -> None:
    text = "Astellas’ first-in-class therapy — approved in Japan, says the café’s owner."
    double_encoded = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    decoded, _ = decode(double_encoded, "seeds/m.txt")
    assert normalise_text(decoded.text) == text


def _items(items: Any) -> Any:
    """Every item of a parsed pattern, nested ones too."""
    for op, arg in items:
        yield op, arg
        for part in arg if isinstance(arg, tuple) else ():
            if isinstance(part, sre_parser.SubPattern):
                yield from _items(part)
            elif isinstance(part, list) and op is sre_constants.BRANCH:
                for branch in part:
                    yield from _items(branch)


def _single_characters(item: tuple[Any, Any]) -> set[int] | None:
    """The characters one pattern item matches, when it is a plain character or character set."""
    op, arg = item
    if op is sre_constants.LITERAL:
        return {arg}
    if op is sre_constants.IN and all(o in (sre_constants.LITERAL, sre_constants.RANGE) for o, _ in arg):
        return {c for o, a in arg for c in ([a] if o is sre_constants.LITERAL else range(a[0], a[1] + 1))}
    return None


def test_the_mojibake_screen_holds_for_ftfys_pattern() -> None:
    """may_be_mojibake searches near non-ASCII characters only: right while ftfy's pattern has
    no lookaround, matches at most MOJIBAKE_WIDTH characters, and needs a non-ASCII one."""
    tree = sre_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert tree.getwidth()[1] <= MOJIBAKE_WIDTH
    assert not BADNESS_RE.flags & (re.MULTILINE | re.DOTALL)
    for op, arg in _items(tree):
        assert op not in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.GROUPREF)
        assert op is not sre_constants.AT or arg is sre_constants.AT_BEGINNING
    [(op, (_, branches))] = tree.data
    assert op is sre_constants.BRANCH
    for branch in branches:
        sets = [chars for item in branch if (chars := _single_characters(item)) is not None]
        assert any(min(chars) >= 0x80 for chars in sets), f"a branch of ftfy's pattern matches ASCII alone: {branch}"


def test_the_mojibake_screen_agrees_with_ftfy() -> None:
    texts = ["", "plain ASCII", "café’s “first”", "Ã³", "voilÃ le", "word Ã and", "ГўВЂВ.x", "x" * 50 + "â€™", "é" * 30]
    # short random strings over ASCII and the characters ftfy's pattern names: mostly mojibake
    alphabet = "ab Z.,\n\x85" + "".join(sorted({c for c in BADNESS_RE.pattern if ord(c) >= 0x80}))
    rng = random.Random(3)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    for text in texts:
        assert may_be_mojibake(text) == ftfy.badness.is_bad(text), repr(text)
