"""A deterministic generator of realistic raw articles, for any N.

    python bench/generate.py N OUT_DIR [--seed 1]

About seven in ten are text dumps, the rest whole HTML pages; each has a headline, a
dateline, four to ten paragraphs naming companies, therapies, countries, modalities and
indications from a pool (well-known names and made-up ones), and the leftovers editors'
copies carry: ads, share rows, newsletter and cookie notices, captions, author bios, related
lists. About one in twenty is a syndicated copy of another; about one in a hundred is a
section page of teasers. Sizes are like the samples' (1.5 to 6 kB).
"""

from __future__ import annotations

import argparse
import datetime
import html
import random
import sys
from pathlib import Path

COMPANIES = [
    "Astellas Pharma",
    "Takeda Pharmaceutical",
    "Daiichi Sankyo",
    "Sumitomo Pharma",
    "Healios",
    "Heartseed",
    "Cuorips",
    "SanBio",
    "Fujifilm",
    "Chugai Pharmaceutical",
    "Eisai",
    "Otsuka Pharmaceutical",
    "Samsung Biologics",
    "Celltrion",
    "Legend Biotech",
    "WuXi Biologics",
    "Novartis",
    "Bayer",
    "Kyowa Kirin",
    "JCR Pharmaceuticals",
]
MADE_UP = ["Zentrix", "Kaiyo", "Morinaga Cell", "Aoba", "Hikari", "Sorano", "Tessera", "Quillon", "Varnell", "Orbiton"]
HEADS = ["Therapeutics", "Bio", "Biosciences", "Pharma", "Cell"]
THERAPIES = [
    "tisagenlecleucel",
    "Kymriah",
    "lecanemab",
    "trastuzumab deruxtecan",
    "HeartSheet",
    "Zolgensma",
    "AB-1005",
    "KZ-204",
    "vandefitemcel",
    "Qdenga",
]
COUNTRIES = ["Japan", "South Korea", "Taiwan", "China", "Singapore", "the United States", "Osaka", "Tokyo", "Seoul"]
MODALITIES = [
    "iPSC-derived cell therapy",
    "CAR-T cell therapy",
    "AAV gene therapy",
    "NK cell therapy",
    "biosimilars",
    "gene editing",
    "exosome therapy",
]
INDICATIONS = [
    "Parkinson's disease",
    "heart failure",
    "Alzheimer's disease",
    "multiple myeloma",
    "osteoporosis",
    "spinal muscular atrophy",
    "retinitis pigmentosa",
]
VERBS = [
    "signed a licensing deal with",
    "agreed to acquire",
    "formed a partnership with",
    "invested in",
    "won approval alongside",
    "started a joint trial with",
]
FILLER = [
    "The companies did not disclose the financial terms of the agreement, which is subject to customary conditions.",
    "Analysts said the move reflected growing interest in regenerative medicine across Asia.",
    "The trial will enrol about 120 patients at sites in {country} and is expected to read out next year.",
    "Regulators in {country} have set up a faster review path for products of this kind.",
    "“We are excited to bring this {modality} to patients with {indication},” the chief executive said.",
    "Shares of {company} rose 4% in morning trading after the announcement.",
    "The product is being developed for {indication}, a condition with few treatment options.",
]
JUNK = [
    "ADVERTISEMENT",
    "Share this article",
    "Subscribe to our newsletter for the latest biotech news.",
    "We use cookies to improve your experience on our site.",
    "Image: Getty Images",
    "Related articles",
    "Read more: {company} names new chief executive",
    "© 2025 Example Pharma News. All rights reserved.",
]


def company(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(COMPANIES)
    return f"{rng.choice(MADE_UP)} {rng.choice(HEADS)}"


def paragraph(rng: random.Random) -> str:
    a, b = company(rng), company(rng)
    fill = {
        "country": rng.choice(COUNTRIES),
        "modality": rng.choice(MODALITIES),
        "indication": rng.choice(INDICATIONS),
        "company": a,
    }
    lead = (
        f"{a} {rng.choice(VERBS)} {b} to develop {rng.choice(THERAPIES)}, a {fill['modality']} for "
        f"{fill['indication']}, in {fill['country']}."
    )
    return " ".join([lead, *(rng.choice(FILLER).format(**fill) for _ in range(rng.randint(1, 3)))])


#: the generated archive's dates run from FIRST_DAY over ARCHIVE_DAYS; a "new" article comes after them
FIRST_DAY = datetime.date(2020, 1, 1)
ARCHIVE_DAYS = 6 * 365


def article(rng: random.Random, number: int, *, new: bool = False) -> tuple[str, str, list[str], datetime.date]:
    offset = ARCHIVE_DAYS + 1 + rng.randint(0, 30) if new else rng.randint(0, ARCHIVE_DAYS)
    date = FIRST_DAY + datetime.timedelta(days=offset)
    title = f"{company(rng)} and {company(rng)} team up on {rng.choice(MODALITIES)} (report {number})"
    paragraphs = [paragraph(rng) for _ in range(rng.randint(4, 10))]
    paragraphs[0] = f"{date:%B} {date.day}, {date.year} — {rng.choice(['Tokyo', 'Osaka', 'Seoul'])} — " + paragraphs[0]
    return title, f"{date:%Y-%m-%d}", paragraphs, date


def as_text(rng: random.Random, title: str, paragraphs: list[str]) -> str:
    lines = [title, "", rng.choice(JUNK[:3])]
    for text in paragraphs:
        lines += [text, ""]
        if rng.random() < 0.15:
            lines += [rng.choice(JUNK).format(company=company(rng)), ""]
    lines += ["Related articles", f"{company(rng)} raises funds", "We use cookies to improve your experience."]
    return "\n".join(lines) + "\n"


def as_html(rng: random.Random, title: str, iso: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/n/{i}">{html.escape(company(rng))} news {i}</a></li>' for i in range(5))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | News</title>'
        f'<meta property="og:site_name" content="Example Pharma News">'
        f'<meta property="article:published_time" content="{iso}T08:00:00Z"></head><body>'
        f'<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{html.escape(title)}</h1>'
        f'<p class="byline">By Kenji Sato</p>{body}<p>Subscribe to our newsletter.</p></article>'
        f'<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>'
        f"<footer>© 2025 Example Pharma News</footer></body></html>\n"
    )


def generate(count: int, out: Path, seed: int = 1, *, new: bool = False) -> None:
    """`count` raw articles into `out`; with `new`, dated after the whole archive (today's news)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    previous: list[tuple[str, list[str]]] = []
    for number in range(count):
        title, iso, paragraphs, _ = article(rng, number, new=new)
        if previous and rng.random() < 0.05:  # a syndicated copy of an earlier story
            title, paragraphs = rng.choice(previous)
            title = f"{title} (syndicated)"
        previous.append((title, paragraphs))
        if len(previous) > 50:
            previous.pop(0)
        name = f"{number:06d}"
        if rng.random() < 0.3:
            (out / f"{name}.html").write_text(as_html(rng, title, iso, paragraphs), encoding="utf-8")
        else:
            (out / f"{name}.txt").write_text(as_text(rng, title, paragraphs), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.count, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
