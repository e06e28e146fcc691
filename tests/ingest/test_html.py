"""HTML pages: main text and metadata kept; scripts, navigation, cookie banners, footers dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_file
from articleqa.ingest.html import read_html
from articleqa.ingest.prepare import prepare_article
from articleqa.models import Article, RawArticle
from tests.conftest import SAMPLE_ARTICLES


def _sample(name: str, settings: Settings) -> Article:
    [(_, raw)] = list(read_file(SAMPLE_ARTICLES / name, settings))
    assert isinstance(raw, RawArticle), raw
    return prepare_article(raw)


def test_sample_page_metadata(settings: Settings) -> None:
    article = _sample("rovers-win-league-title.html", settings)

    assert article.title == "Lakeshore Rovers clinch first league title in 31 years"
    assert article.author == "Sean Gallagher"
    assert article.published == dt.date(2026, 10, 19)
    assert article.url == "https://lakeshoreledger.example/sport/2026/10/rovers-clinch-title"


def test_sample_page_keeps_the_story_and_drops_the_page_furniture(settings: Settings) -> None:
    article = _sample("rovers-win-league-title.html", settings)

    assert "thanks to a header from captain Niamh Doyle in the 88th minute." in article.text
    assert "open-top bus parade through the city centre" in article.text
    for furniture in (
        "cookies",
        "Accept all",
        "gtag",
        "dataLayer",
        "Subscribe",
        "All rights reserved",
        "Most read",
    ):
        assert furniture not in article.text, furniture
    # Subheadings stay, as paragraphs of their own.
    assert "\n\nA captain's finish\n\n" in article.text


def test_second_sample_page(settings: Settings) -> None:
    article = _sample("hospital-heart-unit-waiting-times.html", settings)

    assert article.title == "New heart unit cuts waiting times at St. Columba's Hospital"
    assert article.published == dt.date(2026, 8, 24)
    assert article.author is not None and "Lindqvist" in article.author
    assert "median of 19 days" in article.text
    for furniture in (
        "This website uses cookies",
        "Log in",
        "Sign up for our health newsletter",
        "Registered in Ireland",
    ):
        assert furniture not in article.text, furniture


def test_explicit_url_wins_over_the_page_metadata() -> None:
    html = (
        "<html><head><title>Short page</title></head><body><article><h1>Short page</h1>"
        "<p>The harbour lighthouse recorded gusts of 112 kilometres per hour shortly after "
        "midnight, the highest since records began at the site in 1961.</p></article></body></html>"
    )

    raw = read_html(html, source="fetched", url="https://news.example/a")

    assert raw.url == "https://news.example/a"
    assert raw.title == "Short page"
    assert "112 kilometres per hour" in raw.text


def test_page_without_article_text_is_an_ingest_error() -> None:
    html = (
        "<html><head><title>Empty</title><script>var x = 1;</script></head><body>"
        "<div class='cookie-banner'>We use cookies. Accept all.</div>"
        "<footer>(c) 2026 Ledger</footer></body></html>"
    )

    with pytest.raises(IngestError, match="no article text"):
        read_html(html, source=None)


_BYLINE_PAGE = """<html><head><title>Managing Python Environments</title>
<meta name="author" content="{author}"></head><body>
<header><h1>Managing Python Environments</h1>
<div class="byline-metadata"><span class="blog-author">By <a>John Walk</a> -</span>
January 10, 2020 <span>21 minutes</span></div></header>
<article><p>Python is, in general, an exceptionally useful language for data work, and its
package ecosystem has grown with it over many years of steady development.</p>
<p>Managing environments is where that growth shows: conda, virtualenv, pipenv and poetry each
solve part of the problem, and each comes with its own trade-offs for a team.</p>
<p>This post walks through the tools one by one and ends with what we use in production
today, and why we settled on it after trying the others.</p></article></body></html>"""


def test_a_byline_the_main_text_leaves_out_is_kept_as_the_page_shows_it() -> None:
    # trafilatura drops bylines with the page's furniture: "Who wrote the post on managing
    # Python environments?" was answered by no quote, though the page says it.
    article = prepare_article(read_html(_BYLINE_PAGE.format(author="John Walk"), None))

    assert article.author == "John Walk"
    assert article.text.startswith("By John Walk - January 10, 2020 21 minutes\n\nPython is")


@pytest.mark.parametrize("author", ["luxurious", "https://www.facebook.com/john.walk"])
def test_a_site_or_a_profile_link_given_as_author_adds_no_byline(author: str) -> None:
    article = prepare_article(read_html(_BYLINE_PAGE.format(author=author), None))

    assert article.text.startswith("Python is")
    assert article.author is None  # neither names a person


def test_a_control_character_in_a_formatted_paragraph_loses_nothing() -> None:
    # lxml turns the stray "\x1d" (pasted into a blog post) into U+FFFD, and on that tree
    # trafilatura's formatting pass returned nothing: the page was refused as having no text.
    page = (
        '<p style="text-align:justify;">The harbour ferry returns on 1 June and runs every forty'
        " minutes until the end of September, the council said on Monday, after a winter in"
        " which the crossing was closed for repairs to both of its landing stages.</p>\n"
        '<p style="text-align:justify;"><span style="color:#ff0000;"><strong>Tickets</strong>'
        " </span>cost two pounds for \x1dadults – and children under twelve travel free on"
        " every crossing of the bay.</p>"
    )

    article = read_html(page, None)

    assert "Tickets cost two pounds for adults – and children under twelve" in article.text
    assert "\ufffd" not in article.text and "\x1d" not in article.text


def test_an_interview_keeps_its_question_headings_beside_an_empty_heading_link() -> None:
    # GitHub's blog puts an empty in-page link (an icon drawn by CSS) in every heading; in
    # precision mode trafilatura then dropped the interview's question, "What are you looking
    # forward to next?", and its answer lost the question it answers.
    def heading_link(slug: str) -> str:
        return (
            f'<a href="#{slug}" class="heading-link" aria-label="{slug}" '
            'data-anchorjs-icon="#" style="padding-left: 0.375em;"></a>'
        )

    quote = (
        "“I get to show the town that a harbour built by fishermen who had little money, lost "
        "two piers to storms and never gave up can stand, grow, and welcome whatever boats come.”"
    )
    answer = (
        "I can’t wait to see the summer ferry season start with my crew who care so much. I’m "
        "looking forward to showing visitors exactly how far the bay goes. I’m excited to keep "
        "restoring the quay."
    )
    page = (
        '<div class="container-md"><article class="post type-post hentry">'
        '<div class="post-featured__image">\n'
        f'<h3 id="quote"><em><span style="font-weight: 400">{quote}</span></em>'
        f"{heading_link('quote')}</h3>\n"
        '<h2 id="next"><b>What are you looking forward to next? </b>'
        f"{heading_link('next')}</h2>\n"
        f'<p><span style="font-weight: 400">{answer}</span></p>'
    )

    article = read_html(page, None)

    assert "What are you looking forward to next?" in article.text
    assert article.text.index("looking forward to next?") < article.text.index("I can’t wait")


@pytest.mark.parametrize(
    ("given", "author"),
    [
        ("View all posts by Daniel Lemire", "Daniel Lemire"),
        ("Written by Maria Lopez", "Maria Lopez"),
        ("luxurious", None),  # the site's name
        ("Julian Seward https; Sourceware Org; Bzip2", None),  # a link's pieces
        ("@progrium", "@progrium"),
    ],
)
def test_the_author_is_a_name_not_the_words_or_the_site_around_it(
    given: str, author: str | None
) -> None:
    page = (
        f'<html><head><title>Ferry</title><meta name="author" content="{given}"></head><body>'
        "<article><p>The harbour ferry returns on 1 June and runs every forty minutes until the "
        "end of September, the council said on Monday.</p></article></body></html>"
    )

    assert read_html(page, None).author == author


LICENCE = (
    "Subject to the terms and conditions of this License, each Contributor hereby grants to "
    "You a perpetual, worldwide, non-exclusive, no-charge, royalty-free patent license to "
    "make, have made, use, offer to sell, sell, import, and otherwise transfer the Work."
)


def test_a_document_without_layout_keeps_the_lists_after_its_paragraphs() -> None:
    # Jetty's licence page, exported from Word: "<div class=Section1>" of paragraphs, no
    # heading markup, and the Apache License's conditions (a) to (d) in a list that trafilatura
    # dropped (it keeps a list straight in a page's body or a plain div only when recalling at
    # any price), with condition (c) standing in the list outside any item.
    page = (
        "<html><head><title>Apache License</title></head><body><div class=Section1>"
        f"<p><b><span>3. Grant of Patent License.</span></b></p><p><span>{LICENCE}</span></p>"
        "<p><b><span>4. Redistribution.</span></b></p>"
        "<p><span>You may reproduce and distribute copies of the Work provided that You meet "
        "the following conditions:</span><p>"
        "<ul><li><span>(a) You must give any other recipients of the Work a copy of this "
        "License; and</span><p></li>"
        "<li><span>(b) You must cause any modified files to carry prominent notices; and"
        "</span><p></li></li><span>(c) You must retain all copyright notices from the Source "
        "form of the Work; and</span><p></li>"
        "<li><span>(d) You must include a readable copy of the NOTICE file.</span><p></li></ul>"
        "<p><span>You may add Your own copyright statement to Your modifications.</span></p>"
        "</div></body></html>"
    )

    text = read_html(page, None).text

    for condition in ("(a) You must give", "(b) You must cause", "(c) You must retain", "(d)"):
        assert f"• {condition}" in text, condition
    assert "You may add Your own copyright statement" in text


def test_a_list_nested_beside_its_item_stays_nested() -> None:
    # GCC 12's release notes write "<ul><li>…</li><ul><li>…</li></ul></ul>": the inner list
    # is the item's, not an item of its own ("• • Loongson LA464 core").
    page = (
        "<html><head><title>GCC 12</title></head><body><main><h1>GCC 12 Release Series</h1>"
        f"<p>{LICENCE}</p><ul><li>Support for the LoongArch architecture has been added.</li>"
        "<li>These CPU codenames are supported:</li><ul><li>Loongson LA464 core (la464).</li>"
        "</ul></ul><p>Other targets are unchanged.</p></main></body></html>"
    )

    text = read_html(page, None).text

    assert "• Loongson LA464 core (la464)." in text
    assert "• •" not in text


def test_a_page_with_a_menu_is_not_read_as_a_document_without_layout() -> None:
    # A list that is mostly links is a site's menu: such a page is left to trafilatura, which
    # leaves menus out.
    page = (
        "<html><head><title>Harbour news</title></head><body><div>"
        '<ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>'
        '<li><a href="/weather">Weather</a></li></ul>'
        f"<p>{LICENCE}</p><p>The harbour ferry returns on 1 June and runs every forty minutes "
        "until the end of September, the council said on Monday.</p></div></body></html>"
    )

    text = read_html(page, None).text

    assert "Weather" not in text
    assert "The harbour ferry returns on 1 June" in text


def test_a_doxygen_listing_is_code_and_its_tooltips_are_not_text() -> None:
    # FLAC's porting guide (Doxygen): its examples are div.fragment of div.line rows, dropped
    # whole; the hidden tooltip "Definition: stream_decoder.h:258" stood in their place.
    page = (
        '<html><head><title>FLAC: Porting</title></head><body><div class="contents">'
        "<h1>Porting from FLAC 1.1.2 to 1.1.3</h1>"
        "<p>A seekable stream decoder would have been set up like so:</p>"
        '<div class="fragment"><div class="line">FLAC__SeekableStreamDecoder *decoder = '
        "FLAC__seekable_stream_decoder_new();</div>"
        '<div class="line"><span class="keywordflow">if</span>(decoder == NULL) '
        "do_something;</div></div>"
        "<p>In FLAC 1.1.3 it is like this, with fewer calls and the same checks.</p>"
        '<div class="ttc"><div class="ttname">FLAC__stream_decoder_new</div>'
        '<div class="ttdef"><b>Definition:</b> stream_decoder.h:258</div></div>'
        "</div></body></html>"
    )
    article = prepare_article(read_html(page, "porting.html"))

    listing = (
        "FLAC__SeekableStreamDecoder *decoder = FLAC__seekable_stream_decoder_new();\n"
        "if(decoder == NULL) do_something;"
    )
    assert listing in article.text
    assert article.layout is not None
    assert any(
        s.kind.value == "code" and listing in article.text[s.start : s.end] for s in article.layout
    )
    assert "stream_decoder.h:258" not in article.text


# An older FAQ page: a table of contents of in-page links, one a line, each to a section
# whose heading an anchor wraps (runit's FAQ is made so), and a link in prose to a section.
_FAQ_WITH_CONTENTS = """<html><head><title>tramctl - Frequently asked questions</title></head>
<body>
<h1>tramctl - Frequently asked questions</h1>
<hr>
<a href="#what">
What is tramctl
</a><br>
<a href="#user">
Can a user other than root control a line
</a><br>
<p>
<a href="#license">What is the license</a><br>
<hr>
<a name="what"><h3>What is tramctl</h3></a>
tramctl starts, stops and watches the signal daemons of a tram network.
See <a href="#user">Can a user other than root control a line</a> for who may use it.
<hr>
<a name="user"><h3>
Can a user other than root control a line
</h3></a>
Answer: yes. Give the user write access to the line's ./control pipe and its status files.
<hr>
<a name="license"><h3>What is the license</h3></a>
Answer: tramctl is free software under a two-clause BSD license.
</body></html>
"""

# docutils' "contents" directive, as Sphinx and rst2html write it.
_SPHINX_CONTENTS = """<html><head><title>Guide</title></head><body><main>
<h1>Guide</h1>
<div class="contents topic" id="contents"><p class="topic-title">Contents</p><ul class="simple">
<li><p><a class="reference internal" href="#install" id="id1">Installing the daemon</a></p></li>
<li><p><a class="reference internal" href="#configure" id="id2">Configuring lines</a></p></li>
</ul></div>
<section id="install"><h2>Installing the daemon<a class="headerlink" href="#install">¶</a></h2>
<p>Run the installer as root; it writes the unit files under /etc/tramctl and never touches
the signal hardware on its own.</p></section>
<section id="configure"><h2>Configuring lines</h2>
<p>Each line is a file in /etc/tramctl/lines holding its stops, one a line, in order.</p>
</section></main></body></html>
"""


def test_a_table_of_contents_goes_and_headings_wrapped_in_anchors_stay() -> None:
    text = prepare_article(read_html(_FAQ_WITH_CONTENTS, None)).text

    # Each heading once, where its section is: not again in a list of links above.
    for heading in (
        "What is tramctl",
        "Can a user other than root control a line",
        "What is the license",
    ):
        assert text.count(heading) == (2 if heading.startswith("Can") else 1), heading
    assert text.index("Can a user other than root control a line\n\nAnswer: yes.") > text.index(
        "watches the signal daemons"
    )
    # A link in prose is the sentence's words, not an entry of contents.
    assert "See Can a user other than root control a line for who may use it." in text
    assert "two-clause BSD license" in text


def test_a_sphinx_table_of_contents_goes() -> None:
    text = prepare_article(read_html(_SPHINX_CONTENTS, None)).text

    assert text.count("Installing the daemon") == 1
    assert text.count("Configuring lines") == 1
    assert text.index("Installing the daemon") < text.index("Run the installer")


def test_a_chapter_division_the_body_holds_alone_keeps_its_lists() -> None:
    # texinfo's pages (libffi's manual): the body holds one "<div class="chapter">" with a
    # "Next: ..., Up: ..." header beside the text. trafilatura found no container and kept
    # the list items' inline code alone ("/tmp." for "A file created in /tmp.").
    page = (
        "<html><head><title>Memory Usage (libffi)</title></head><body>"
        '<div class="chapter" id="Memory-Usage"><div class="header"><p>Next: '
        '<a href="Missing.html">Missing Features</a>, Up: <a href="index.html">libffi</a></p>'
        "</div><hr><h2>3 Memory Usage</h2>"
        "<p>Memory allocated by <code>ffi_closure_alloc</code> does not come from the same "
        "general pool of memory that <code>malloc</code> uses. The search follows this "
        "list, using the first that works:</p><ul>"
        "<li> A anonymous mapping (i.e. not file-backed)</li>"
        "<li> A file created in the directory named by <code>LIBFFI_TMPDIR</code>.</li>"
        "<li> A file created in <code>/tmp</code>.</li></ul>"
        "<p>If security settings prohibit all of these, <code>ffi_closure_alloc</code> "
        "will fail.</p></div></body></html>"
    )

    text = read_html(page, None).text

    assert "• A anonymous mapping (i.e. not file-backed)" in text
    assert "• A file created in the directory named by LIBFFI_TMPDIR." in text
    assert "• A file created in /tmp." in text
    assert "Next: Missing Features" not in text


_MENU_CELL = (
    '<td valign="top"><table><tr><td><b>Main Menu</b></td></tr><tr><td><ul>'
    + "".join(f'<li><a href="{n}.html">{n}</a></li>' for n in ("Home", "Downloads", "FAQ"))
    + "</ul></td></tr></table></td>"
)


def test_a_page_laid_out_in_table_columns_keeps_its_paragraphs_and_lists() -> None:
    # libxslt's pages, from before CSS: a menu cell beside the text's cell, each in nested
    # tables. Read as data, the paragraphs were glued ("resources:Well, bugs") and the list
    # of resources was lost.
    page = (
        "<html><head><title>Reporting bugs</title></head><body><table><tr>"
        + _MENU_CELL
        + '<td valign="top"><table><tr><td><table><tr><td bgcolor="#fffacd">'
        "<p>If you need help with the XSLT language itself, here are a number of useful "
        "resources:</p><ul><li>The <a href='faq.html'>XSL FAQ</a>.</li><li>The tutorial "
        "written by Paul Grosso and Norman Walsh is a very good introduction.</li></ul>"
        "<p>Well, bugs or missing features are always possible, and I will make a point of "
        "fixing them in a timely fashion.</p><p>For small problems you can try to get help "
        "on IRC, the #xml channel on irc.gnome.org (port 6667).</p>"
        "</td></tr></table></td></tr></table></td></tr></table></body></html>"
    )

    text = read_html(page, None).text

    assert "• The tutorial written by Paul Grosso and Norman Walsh" in text
    assert "resources:\n\n• The XSL FAQ." in text
    assert "timely fashion.\n\nFor small problems" in text
    assert "Main Menu" not in text and "Downloads" not in text


def test_a_table_of_questions_beside_their_answers_stays_a_table() -> None:
    # Valgrind's FAQ (DocBook's qandaset): a row per question and per answer. Read as page
    # columns, the questions' cells went with the layout.
    rows = "".join(
        f'<tr class="question"><td><p><b>1.{n}.</b></p></td><td><p><b>{question}</b></p></td>'
        f'</tr><tr class="answer"><td></td><td><p>{answer}</p><p>{more}</p></td></tr>'
        for n, (question, answer, more) in enumerate(
            [
                (
                    'How do you pronounce "Valgrind"?',
                    'The "Val" as in the word "value".',
                    "Don't feel bad: almost everyone gets it wrong at first.",
                ),
                (
                    'Where does the name "Valgrind" come from?',
                    "From Nordic mythology.",
                    "Valgrind is the name of the main entrance to Valhalla.",
                ),
            ],
            start=1,
        )
    )
    page = (
        "<html><head><title>Valgrind FAQ</title></head><body><div class='article'>"
        f"<h1>Valgrind Frequently Asked Questions</h1><p>{LICENCE}</p>"
        f"<div class='qandaset'><table>{rows}</table></div></div></body></html>"
    )

    text = read_html(page, None).text

    assert 'How do you pronounce "Valgrind"?' in text
    assert 'Where does the name "Valgrind" come from?' in text
    assert "From Nordic mythology." in text


def test_the_text_after_a_comment_is_kept() -> None:
    # Octave's texinfo manual marks unbreakable words "<code>...</code><!-- /@w -->": the
    # sentence after each mark was lost, leaving "OCTAVE_INFO_PROGRAMinfo_program function."
    page = (
        "<html><head><title>Command Line Options</title></head><body><main>"
        "<h1>Command Line Options</h1><p>The value of <var>program</var> will override any "
        "value of <code>OCTAVE_INFO_PROGRAM</code><!-- /@w --> found in the environment, but "
        "not the <code>info_program</code> function.</p><p><!-- a note -->Other options are "
        "described below, each with its <code>--name</code>.</p></main></body></html>"
    )

    text = read_html(page, None).text

    assert "OCTAVE_INFO_PROGRAM found in the environment, but not the info_program" in text
    assert "Other options are described below" in text
    assert "note" not in text
