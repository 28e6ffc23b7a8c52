"""Ingest: every encoding editors' files come in, and clear refusals for what is not text."""

from __future__ import annotations

import codecs

import pytest

from briefing.errors import ContentError
from briefing.ingest import decode, normalise_text, sniff_format

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
