"""Clean stage: per tricky input, the text that must survive and the text that must be gone."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.clean import Line, clean_text, is_hard_wrapped, split_lines
from briefing.errors import ContentError
from briefing.model import CleanDocument
from briefing.patterns import INLINE_SPACE, MARKDOWN_HEADING
from briefing.pipeline import load_rules
from briefing.rules import parse_rules
from briefing.webpage import clean_html

RULES = load_rules()


def clean(text: str) -> tuple[CleanDocument, ...]:
    return clean_text("seeds/t.txt", textwrap.dedent(text).strip("\n"), RULES)


def body(text: str) -> str:
    docs = clean(text)
    assert len(docs) == 1
    return "\n\n".join(f"## {b.text}" if b.kind == "heading" else b.text for b in docs[0].blocks)


CASES = [
    (  # ads, share rows, newsletter and cookie lines around a short news story
        """
        Chugai files for approval of a new antibody in Japan

        ADVERTISEMENT
        Sponsored content
        Share this article
        Chugai Pharmaceutical said on Monday it had filed for approval of its antibody in Japan.
        Subscribe to our free newsletter for the latest biotech news.
        The filing follows positive phase III results presented last year.
        This website uses cookies to improve your experience.
        Accept all cookies
        """,
        ["Chugai Pharmaceutical said on Monday", "The filing follows positive phase III results"],
        ["ADVERTISEMENT", "Sponsored", "Share this article", "newsletter", "cookies"],
    ),
    (  # a press release: inline tag cut from its sentence, About section, forward-looking statements, contacts
        """
        Kyoto startup raises funds for iPSC platform

        KYOTO, Japan, March 3, 2025 /PRNewswire/ -- Acme Cells Inc. (Press release, Acme Cells, MAR 3, 2025, View Source [SID123]) today announced a Series B financing.
        "We are delighted," said Jane Smith, CEO of Acme Cells.
        About Acme Cells
        Acme Cells is a Kyoto-based company developing iPSC-derived therapies.
        Forward-Looking Statements
        This press release contains forward-looking statements that involve risks.
        Media Contact:
        press@acme.example
        """,
        ["today announced a Series B financing.", "said Jane Smith, CEO of Acme Cells."],
        [
            "Press release, Acme Cells",
            "View Source",
            "About Acme Cells",
            "Kyoto-based company developing",
            "forward-looking",
            "Media Contact",
            "press@acme.example",
        ],
    ),
    (  # photo captions with credits, a byline, related stories at the end
        """
        Takeda opens a cell therapy plant in Osaka

        By Mary Jones
        Takeda opened a new manufacturing plant for cell therapies in Osaka on Tuesday.
        The new plant in Osaka. Photo: Takeda
        The site will employ 200 people when it reaches full capacity.
        Related articles
        Takeda to cut jobs in Boston
        Astellas buys a US biotech
        """,
        ["Takeda opened a new manufacturing plant", "The site will employ 200 people"],
        ["By Mary Jones", "Photo: Takeda", "The new plant in Osaka", "Related articles", "cut jobs in Boston"],
    ),
    (  # icon junk, tags, copyright, comment counters, a flattened menu
        """
        Korean regulator clears first CAR-T therapy

        ArrowArtboardCreated with Sketch.
        Home - News - Regulation - Deals - Events
        South Korea's drug regulator approved the country's first locally made CAR-T therapy.
        Tags: CAR-T, Korea, regulation
        3 comments
        © 2025 Example Media. All rights reserved.
        """,
        ["approved the country's first locally made CAR-T therapy."],
        ["Artboard", "Home - News", "Tags:", "3 comments", "All rights reserved"],
    ),
]


CASES += [
    (  # a Korean trade paper: reporter line, pull quote repeated, editor's note, first-published line
        """
        Samsung Biologics wins order from Japanese drugmaker

        Reporter: Kim Min-jun
        Samsung Biologics said Tuesday it had won a 300 billion won manufacturing order from a Japanese drugmaker.
        "Japan is our fastest-growing market and we expect more orders this year," the company said in a statement.
        The contract runs until 2032 and covers an antibody for autoimmune diseases, it said.
        "Japan is our fastest-growing market and we expect more orders this year," the company said in a statement.
        Editor's note: The headline was changed to reflect the size of the order.
        This article was first published in the print edition.
        """,
        ["won a 300 billion won manufacturing order", "The contract runs until 2032", "fastest-growing market"],
        ["Reporter: Kim", "Editor's note", "first published"],
    ),
    (  # a hard-wrapped wire copy with a dateline, a quote and a contact block
        """
        Japan panel backs conditional approval of heart cell sheets

        OSAKA, June 2, 2025 -- A health ministry panel on Monday backed conditional
        approval of heart-muscle sheets made from induced pluripotent stem cells,
        clearing the way for their sale in Japan this year.

        "This is a first for iPS cell products anywhere," a panel member told
        reporters after the meeting.

        Contact:
        Jane Smith, Communications
        jane.smith@example.com
        """,
        [
            "OSAKA, June 2, 2025 -- A health ministry panel on Monday backed conditional approval of heart-muscle sheets",
            '"This is a first for iPS cell products anywhere," a panel member told reporters after the meeting.',
        ],
        ["Contact", "jane.smith@example.com", "Communications"],
    ),
    (  # a blog post: author box with a heading, share prompts, comments
        """
        Five things to know about Japan's conditional approval pathway

        Japan lets regenerative products reach patients after smaller trials, on condition that efficacy is confirmed.
        Critics say the pathway has approved products that later failed to show benefit in larger studies.
        Share on Facebook | Share on LinkedIn | Share on X
        About the Author
        Taro Yamada covers regulation in Asia for the newsletter.
        Leave a Reply
        Great article, thanks!
        """,
        ["Japan lets regenerative products reach patients", "Critics say the pathway"],
        ["Share on Facebook", "About the Author", "Taro Yamada covers", "Leave a Reply", "Great article"],
    ),
]


@pytest.mark.parametrize(("text", "kept", "gone"), CASES)
def test_boilerplate_goes_and_article_text_stays(text: str, kept: list[str], gone: list[str]) -> None:
    result = body(text)
    for phrase in kept:
        assert phrase in result
    for phrase in gone:
        assert phrase.lower() not in result.lower()


def test_every_removed_line_names_its_rule() -> None:
    (doc,) = clean(CASES[2][0])
    rules = {removal.text: removal.rule for removal in doc.removed}
    assert rules["By Mary Jones"] == "byline"
    assert rules["The new plant in Osaka. Photo: Takeda"] == "photo-caption"
    assert rules["Related articles"] == "related-list"
    assert rules["Takeda to cut jobs in Boston"] == "related-list"


def test_section_headings_are_kept_as_headings() -> None:
    (doc,) = clean("""
        Japan's regenerative medicine push draws foreign firms

        Japan's conditional approval pathway continues to draw developers from abroad, officials said.
        Market Outlook: Growth Ahead
        Analysts expect the market to grow strongly over the next decade as approvals accumulate.
        """)
    kinds = [(block.kind, block.text[:20]) for block in doc.blocks]
    assert ("heading", "Market Outlook: Grow") in kinds
    assert doc.title == "Japan's regenerative medicine push draws foreign firms"


def test_hard_wrapped_paragraphs_are_joined() -> None:
    wrapped = """
        Heartseed reports data from its heart failure trial

        Heartseed said its iPSC-derived cardiomyocyte spheroids improved heart
        function in patients with severe heart failure, according to data
        presented at a cardiology meeting in Tokyo on Saturday.

        The company plans to file for approval in Japan next year after
        discussing the data with the regulator.
        """
    (doc,) = clean(wrapped)
    assert [b.text[:18] for b in doc.blocks] == ["Heartseed said its", "The company plans "]
    assert "improved heart function in patients" in doc.blocks[0].text


def test_one_paragraph_per_line_is_not_joined() -> None:
    lines = split_lines("A first paragraph that is quite long and ends without a full stop\nA second one.\n")
    assert not is_hard_wrapped(lines)


def test_a_listing_page_splits_into_one_brief_per_teaser() -> None:
    docs = clean("""
        Advertisement
        Korea
        Samsung Biologics signed a manufacturing deal worth $1.2 billion with a US drugmaker, its largest contract so far.
        Celltrion won European approval for a biosimilar of an autoimmune drug, adding to its growing portfolio.
        SK bioscience will build a vaccine plant in Andong, with production expected to start in two years' time.
        Hanmi Pharmaceutical named a new chief executive after months of a family dispute over control of the group.
        GC Cell and a Japanese partner agreed to co-develop an NK cell therapy for solid tumours in Asia.
        """)
    assert [doc.kind for doc in docs] == ["brief"] * 5
    assert [doc.part for doc in docs] == [1, 2, 3, 4, 5]
    assert docs[1].blocks[0].text.startswith("Celltrion won European approval")
    assert all("Advertisement" not in d.body_text and d.body_text != "Korea" for d in docs)


def test_an_article_of_short_paragraphs_is_not_a_listing() -> None:
    docs = clean("""
        Astellas and Yaskawa form a cell therapy venture

        Astellas Pharma and Yaskawa Electric said on Friday they had formed a joint venture for cell therapy.
        The venture will use robots to make cell therapies at scale, the companies said in a statement.
        It will start operations in April and employ about 50 people at a site in Tokyo.
        "This is a big step for the industry," said the venture's new chief executive.
        However, analysts cautioned that regulators had yet to approve robot-made therapies.
        """)
    assert len(docs) == 1 and docs[0].kind == "article"


def test_html_page_gives_h1_headline_metadata_and_clean_text() -> None:
    html = """<!doctype html><html><head><title>Site | Deal news</title>
    <meta property="og:site_name" content="Example Bio News">
    <meta property="article:published_time" content="2025-06-02T08:00:00Z">
    <script>var tracking = "should never appear";</script><style>.x{color:red}</style></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Otsuka licenses an &amp; gene therapy from a Korean biotech</h1>
    <p class="byline">By Ken Sato</p>
    <p>Otsuka Pharmaceutical has licensed the Japanese rights to a gene therapy for a rare eye disease
    from a Korean biotech, the companies said on Monday, in a deal worth up to $300 million.</p>
    <h2>Deal terms</h2>
    <p>Otsuka will pay $30 million upfront and up to $270 million in milestones, and royalties on sales
    in Japan once the therapy is approved by the regulator there.</p>
    <p>Subscribe to our newsletter for daily updates.</p></article>
    <footer>© 2025 Example Bio News. All rights reserved.</footer></body></html>"""
    (doc,) = clean_html("seeds/p.html", html, RULES)
    assert doc.title == "Otsuka licenses an & gene therapy from a Korean biotech"
    assert doc.meta["site_name"] == "Example Bio News"
    assert doc.meta["published"].startswith("2025-06-02")
    text = doc.body_text
    assert "Otsuka will pay $30 million upfront" in text
    for gone in ("tracking", "color:red", "Subscribe", "All rights reserved", "Home"):
        assert gone not in text


def _card(number: int) -> str:
    stories = [
        (
            "Chugai wins approval for haemophilia drug",
            "The drug was cleared for children in Japan after a short review.",
        ),
        ("Takeda sells consumer unit", "The sale to a private equity group closes a long chapter for the company."),
        (
            "Astellas buys gene therapy start-up",
            "The deal gives the company a plant in North Carolina and two programmes.",
        ),
        ("Daiichi Sankyo expands ADC plant", "Demand for its cancer drug outstrips the supply of its current site."),
        (
            "Eisai files Alzheimer's drug in China",
            "Regulators there will review the antibody under a priority pathway.",
        ),
    ]
    title, text = stories[number]
    return f'<article class="card"><h3><a href="/news/{number}">{title}</a></h3><p>{text}</p></article>'


LISTING = (
    "<!doctype html><html><head><title>Japan | Example Pharma News</title></head><body>"
    "<header><nav><a href='/'>Home</a></nav></header><main><h1>Japan</h1>"
    + "".join(_card(n) for n in range(5))
    + "</main><aside class='most-read'><h2>Most read</h2>"
    + "".join(f"<article><h3><a href='/x{n}'>Popular story {n}</a></h3></article>" for n in range(5))
    + "</aside></body></html>"
)


def test_an_html_listing_page_splits_into_briefs_without_the_sidebar() -> None:
    docs = clean_html("seeds/japan.html", LISTING, RULES)
    assert [d.kind for d in docs] == ["brief"] * 5
    assert docs[0].title == "Chugai wins approval for haemophilia drug"
    assert docs[4].body_text.startswith("Regulators there will review")
    assert not any("Popular story" in (d.title or "") for d in docs)


def test_an_html_article_with_related_cards_stays_one_article() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the article explains how the regenerative medicine law in Japan lets companies "
        f"sell cell therapies early, and what the ministry expects to change in the review number {n}.</p>"
        for n in range(8)
    )
    html = (
        "<html><head><title>Law</title></head><body><article><h1>Japan reviews its regenerative medicine law</h1>"
        f"{paragraphs}</article><section class='more-stories'>"
        + "".join(_card(n) for n in range(5))
        + "</section></body></html>"
    )
    (doc,) = clean_html("seeds/law.html", html, RULES)
    assert doc.kind == "article" and doc.title == "Japan reviews its regenerative medicine law"
    assert "Paragraph 7 of the article" in doc.body_text
    assert "Chugai wins approval" not in doc.body_text


def test_html_entities_are_decoded_and_scripts_never_reach_the_text() -> None:
    html = (
        "<html><body><article><h1>Kyowa Kirin &amp; Fujifilm team up</h1>"
        + "<p>Kyowa Kirin &amp; Fujifilm said the &ldquo;biosimilar&rdquo; venture would make &pound;1bn. "
        "The two companies will share the costs of the new plant in Takasaki, near Tokyo, they said.</p>"
        * 3
        + "<script>alert('x')</script><style>p{color:red}</style><noscript>Enable JavaScript</noscript>"
        "</article></body></html>"
    )
    (doc,) = clean_html("seeds/k.html", html, RULES)
    assert doc.title == "Kyowa Kirin & Fujifilm team up"
    assert "“biosimilar” venture would make £1bn" in doc.body_text
    assert "alert" not in doc.body_text and "color" not in doc.body_text and "JavaScript" not in doc.body_text


#: spaces the clean stage collapses, line ends, heading marks, ordinary letters, and anything
LINE_ALPHABET = st.sampled_from(list("ab #\t\n\r\u00a0\u2003\u3000\x0b\x1c\x85\u2028")) | st.characters(
    blacklist_categories=("Cs",)
)


@settings(max_examples=400, deadline=None)
@given(st.text(LINE_ALPHABET, max_size=120))
def test_lines_are_split_as_one_line_at_a_time_would_and_come_out_tidy(text: str) -> None:
    # split_lines collapses spaces over the whole text at once, and remove_boilerplate keeps a
    # line with nothing cut as it is: both rest on a line being tidy already, as checked here
    expected = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = INLINE_SPACE.sub(" ", raw).strip()
        heading = MARKDOWN_HEADING.match(stripped)
        expected.append(Line(number, heading["text"], heading=True) if heading else Line(number, stripped))
    lines = split_lines(text)
    assert lines == expected
    assert all(INLINE_SPACE.sub(" ", line.text).strip() == line.text for line in lines)


RULE_FILE = """\
chrome:
  kind: line
  why: test
  keywords: [open]
  patterns:
    - pattern: 'door'
      keywords: [svg]
    - '^open$'
"""


def test_a_pattern_with_keywords_of_its_own_is_tried_only_on_lines_with_one_of_them() -> None:
    rules = parse_rules(RULE_FILE, "rules.yaml")
    assert [rule.name if rule else None for rule in map(rules.match_line, ["Open", "open the svg door"])] == [
        "chrome",
        "chrome",
    ]
    assert rules.match_line("open the door") is None  # the rule's keyword, not the pattern's own
    assert rules.match_line("the svg door") is None  # the pattern's own keyword, not the rule's


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{pattern: door, flags: i}", "rule 'chrome': a pattern is a string, or a mapping of pattern and keywords"),
        ("{keywords: [svg]}", "rule 'chrome': a pattern is a string, or a mapping of pattern and keywords"),
        ("{pattern: door, keywords: svg}", "rule 'chrome': keywords must be a list of words"),
        ("{pattern: '(door', keywords: [svg]}", "rule 'chrome': bad pattern '(door'"),
    ],
)
def test_a_bad_pattern_entry_is_one_error_at_its_rule(pattern: str, message: str) -> None:
    text = RULE_FILE.replace("- '^open$'", f"- {pattern}")
    with pytest.raises(ContentError) as raised:
        parse_rules(text, "rules.yaml")
    assert str(raised.value.diagnostic).startswith(f"rules.yaml:1: error: {message}")


def test_an_inline_rule_s_patterns_take_no_keywords_of_their_own() -> None:
    with pytest.raises(ContentError) as raised:
        parse_rules(RULE_FILE.replace("kind: line", "kind: inline"), "rules.yaml")
    assert "an inline rule's patterns take no keywords of their own" in str(raised.value)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Book a free 30-minute demo with our team", "promo"),
        ("Request your personalised consultation today.", "promo"),
        ("ArrowArtboardCreated with Sketch.", "icon-junk"),
        ("Close menu", "icon-junk"),
    ],
)
def test_the_shipped_patterns_with_keywords_of_their_own_still_match_what_they_are_for(line: str, rule: str) -> None:
    found = RULES.match_line(line)
    assert found is not None and found.name == rule


def test_a_pattern_anchored_at_the_start_claims_a_line_only_with_one_of_its_rule_s_keywords() -> None:
    rules = parse_rules("chrome:\n  kind: line\n  why: test\n  keywords: [svg]\n  patterns: ['^open\\b']\n", "r.yaml")
    assert rules.match_line("open door") is None  # tried first (it is cheaper), then the keywords
    claimed = rules.match_line("open the svg")
    assert claimed is not None and claimed.name == "chrome"
