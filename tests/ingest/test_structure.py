"""Structured documents keep their structure: each test is a defect found on real documents
(HTML manuals, Markdown READMEs, reStructuredText, man pages) with the old flattening readers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from articleqa.ingest.html import read_html
from articleqa.ingest.man import read_man
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.rst import read_rst
from articleqa.models import BlockKind
from articleqa.passages import split_article
from articleqa.store import SCHEMA_VERSION, ArticleStore

SPHINX_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Abstract &#8212; Foo 1.0 documentation</title>
</head><body>
<div class="related"><ul><li><a href="index.html">index</a></li></ul></div>
<div class="body" role="main"><section id="abstract">
<h1>Abstract<a class="headerlink" href="#abstract" title="Link to this heading">¶</a></h1>
<p>The foreign function interface lets programs call code written in
another language. FFI stands for Foreign Function Interface. A foreign
function is one written in C. The allocator will <code>allocate</code> on the
order of 256K bytes at start, and <tt>free</tt> it at the end of the run.</p>
<p>They consist of the following tests:</p>
<ul><li>the <tt>parse</tt> test</li><li>the render test</li></ul>
<h2>Users and groups<a class="headerlink" href="#users">¶</a></h2>
<dl><dt>operator</dt><dd><p>The operator account. It had uid 37.</p></dd>
<dt>daemon</dt><dd>It had uid 1.</dd></dl>
<table><tr><th>Name</th><th>Value</th></tr><tr><td>SOME_ENV_VAR</td><td>42</td></tr></table>
<ol><li>Unpack the archive.</li><li>Run the installer.</li></ol>
</section></div>
<div class="footer">&copy; Copyright 2001, Foo Team. Created using Sphinx.</div>
</body></html>
"""

README = """Project Foo
===========

[![build](https://ci.example/badge.svg)](https://ci.example)

Foo reads `SOME_ENV_VAR` and strips utm_source and snake_case_names from links.
See [the docs][docs] and <b>raw HTML</b> inline.

[docs]: https://example.org/docs "Docs"

Specification
-------------

To verify downloaded packages:

```sh
gpg --verify foo.tar.gz.sig
```

xargs exits with the following status:

| Status | Meaning |
|--------|---------|
| 0 | it succeeds |
| 123 | any invocation exited with status 1-125 |
"""


def test_wrapped_html_paragraph_with_inline_code_is_one_paragraph() -> None:
    article = prepare_article(read_html(SPHINX_PAGE, None))

    assert (
        "The allocator will allocate on the order of 256K bytes at start, and free it at the "
        "end of the run." in article.text
    )
    assert "FFI stands for Foreign Function Interface. A foreign function is one written in C." in (
        article.text
    )


def test_html_headings_come_from_markup_without_permalink_marks() -> None:
    article = prepare_article(read_html(SPHINX_PAGE, None))

    assert article.title == "Abstract"
    assert article.layout is not None
    headings = [
        article.text[s.start : s.end] for s in article.layout if s.kind is BlockKind.HEADING
    ]
    assert headings == ["Users and groups"]
    assert "¶" not in article.text
    # A short line of prose is never taken for a heading.
    passages = split_article(article, 5, 40)
    assert any("They consist of the following tests:" in p.text for p in passages)


TEXINFO_OPTIONS = """<html><head><title>GNU tool manual</title></head><body>
<h1>Measuring Program Resource Use</h1>
<p>By default, the tool writes its statistics to the standard error stream. The options
below make it write the statistics to a file instead, which helps when the program you
run writes to standard error itself.</p>
<dl compact="compact">
<dt id='index-format'><span><code>-v</code><a href='#index-format'
class='copiable-anchor'> &para;</a></span></dt>
<dt><span><code>--verbose</code></span></dt>
<dd><p>Use the built-in verbose format, which displays each available piece of
information on its own line, with an English description of its meaning.</p></dd>
<dt><span><code>-a</code></span></dt>
<dt><span><code>--append</code></span></dt>
<dd><p><em>Append</em> the resource use information to the output file instead
of overwriting it. This option is only useful with the output option.</p></dd>
</dl>
<p>The elapsed time is not collected atomically with the execution of the program, so in
bizarre circumstances the figures can be off by a little; this is rarely a problem.</p>
</body></html>
"""


def test_texinfo_option_terms_keep_their_own_lines_without_permalink_marks() -> None:
    # trafilatura flattens this <dl> into loose <code> elements side by side, and keeps the
    # "¶" of the permalink it drops: the terms were glued ("-a--append", "-v ¶--verbose").
    article = prepare_article(read_html(TEXINFO_OPTIONS, None))

    assert "¶" not in article.text
    assert "-a\n--append" in article.text
    assert "-v\n--verbose" in article.text
    assert "the tool writes its statistics to the standard error stream." in article.text


def test_copyright_year_is_not_a_publication_date() -> None:
    assert read_html(SPHINX_PAGE, None).published is None


def test_explicit_publication_metadata_is_used() -> None:
    page = SPHINX_PAGE.replace(
        "<head>", '<head><meta property="article:published_time" content="2024-05-02T10:00:00Z">'
    )
    assert str(read_html(page, None).published) == "2024-05-02"


def test_definition_terms_ordered_numbers_and_table_cells_are_kept() -> None:
    text = prepare_article(read_html(SPHINX_PAGE, None)).text

    # Each entry is a paragraph: a term is read with what defines it.
    assert "operator\nThe operator account. It had uid 37.\n\ndaemon\nIt had uid 1." in text
    assert "1. Unpack the archive.\n2. Run the installer." in text
    assert "Name | Value\nSOME_ENV_VAR | 42" in text


def test_lead_in_line_stays_with_the_list_it_introduces() -> None:
    article = prepare_article(read_html(SPHINX_PAGE, None))

    passages = split_article(article, 5, 40)

    lead_in = next(p for p in passages if "following tests:" in p.text)
    assert "the parse test" in lead_in.text


def test_markdown_keeps_underscores_drops_fences_and_link_definitions() -> None:
    article = prepare_article(read_markdown(README, None))

    assert article.title == "Project Foo"
    assert "SOME_ENV_VAR" in article.text and "utm_source" in article.text
    assert "snake_case_names" in article.text
    assert "`" not in article.text and "```" not in article.text
    assert "https://example.org/docs" not in article.text
    assert "See the docs and raw HTML inline." in article.text
    assert "build" not in article.text.split("\n")[0]  # a badge's alt text is not content
    assert article.layout is not None
    code = [article.text[s.start : s.end] for s in article.layout if s.kind is BlockKind.CODE]
    assert code == ["gpg --verify foo.tar.gz.sig"]
    assert "Status | Meaning\n0 | it succeeds\n123 | any invocation exited with status 1-125" in (
        article.text
    )


def test_markdown_code_is_its_own_passage_unless_introduced() -> None:
    article = prepare_article(read_markdown(README, None))

    passages = split_article(article, 5, 40)

    introduced = next(p for p in passages if "gpg --verify" in p.text)
    assert introduced.text.startswith("To verify downloaded packages:")
    status = next(p for p in passages if "it succeeds" in p.text)
    assert status.text.startswith("xargs exits with the following status:")
    assert status.heading == "Specification"


def test_restructuredtext_is_read_with_its_structure() -> None:
    source = """==========
Foo Manual
==========

Introduction
============

Foo is a tool. It was written
in 2019 by *Jane*.

``--verbose``
    Print more.

.. code-block:: python

   import foo

.. include:: /etc/passwd
"""
    raw = read_rst(source, None)
    article = prepare_article(raw)

    assert raw.title == "Foo Manual"
    assert "Foo is a tool. It was written in 2019 by Jane." in article.text
    assert "--verbose\nPrint more." in article.text
    assert "root:" not in article.text  # no file inclusion from untrusted documents
    assert article.layout is not None
    kinds = [(s.kind, article.text[s.start : s.end]) for s in article.layout]
    assert (BlockKind.HEADING, "Introduction") in kinds
    assert (BlockKind.CODE, "import foo") in kinds


def test_man_page_source_is_read_with_sections_and_option_tags() -> None:
    source = r""".\" comment
.TH XARGS 1
.SH NAME
xargs \- build and execute command lines
.SH OPTIONS
.TP
.BR \-0 ", " \-\-null
Input items are terminated by a null character
instead of by whitespace.
.SH EXAMPLES
.nf
find /tmp \-print0 | xargs \-0 rm
.fi
"""
    article = prepare_article(read_man(source, None))

    assert article.title == "XARGS(1)"
    assert (
        "-0, --null\nInput items are terminated by a null character instead of by whitespace."
        in (article.text)
    )
    assert article.layout is not None
    headings = [
        article.text[s.start : s.end] for s in article.layout if s.kind is BlockKind.HEADING
    ]
    assert headings == ["NAME", "OPTIONS", "EXAMPLES"]


def test_a_man_page_s_no_fill_sentence_is_prose_and_its_code_stays_code() -> None:
    # DocBook sets a list item's sentence without filling (.nf), as it sets code.
    source = r""".TH OFFLINEIMAPUI 7
.SH BLINKENLIGHTS
.RS 4
.IP \(bu 2.3
Cyan
.sp
.nf
indicates that the thread is syncing a folder\&.
.fi
.RE
.SH EXAMPLES
.nf
offlineimap \-o \-u quiet
.fi
.EX
Run only once.
.EE
"""
    article = prepare_article(read_man(source, None))

    assert article.layout is not None
    kinds = {article.text[s.start : s.end]: s.kind for s in article.layout}
    assert "indicates that the thread is syncing a folder." in article.text
    assert "indicates that the thread is syncing a folder." not in kinds  # text, not code
    assert kinds["offlineimap -o -u quiet"] is BlockKind.CODE
    assert kinds["Run only once."] is BlockKind.CODE  # .EX says it is an example


def test_a_store_made_before_layouts_upgrades_in_place(tmp_path: Path) -> None:
    # The schema as the previous release created it: no layout column, user_version 0.
    db = sqlite3.connect(tmp_path / "articles.sqlite")
    db.executescript(
        """CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT,
        author TEXT, published TEXT, source TEXT, content_hash TEXT NOT NULL,
        chars INTEGER NOT NULL, added_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        text TEXT NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO articles VALUES ('a1', 'Old', NULL, NULL, NULL, NULL, 'h', 9,
        '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'Old text.');"""
    )
    db.commit()
    db.close()

    store = ArticleStore(tmp_path)

    old = store.get("a1")
    assert old.text == "Old text." and old.layout is None
    article = prepare_article(read_markdown(README, None))
    store.upsert(article)
    assert store.get(article.id).layout == article.layout
    version = sqlite3.connect(tmp_path / "articles.sqlite").execute("PRAGMA user_version")
    assert version.fetchone()[0] == SCHEMA_VERSION  # every step ran: layout first
    assert old.collection == "default"


def test_myst_directives_and_roles_read_as_sphinx_renders_them() -> None:
    source = """# Authentication

(auth-section)=

## Percent-encoding

(percent encoding)=

```{versionadded} 10.0
```

Credentials can be generated using {ref}`pip freeze <pip-freeze>` and {file}`setup.py`.

````{admonition} Example
Creating the bundle:

```
$ pip wheel -r requirements.txt
```
````

```{note}
:class: tip
Pinning refers to using the `==` operator.
```

```{include} /etc/passwd
```
"""
    article = prepare_article(read_markdown(source, None))

    assert "New in version 10.0." in article.text
    assert "Credentials can be generated using pip freeze and setup.py." in article.text
    assert "Pinning refers to using the == operator." in article.text
    assert "{" not in article.text and ")=" not in article.text
    assert ":class:" not in article.text and "root:" not in article.text
    assert article.layout is not None
    code = [article.text[s.start : s.end] for s in article.layout if s.kind is BlockKind.CODE]
    assert code == ["$ pip wheel -r requirements.txt"]


def test_braces_inside_a_code_span_are_not_a_myst_role() -> None:
    # pyenv-virtualenv's README: "`{venv}`" is code holding braces, not a role running to the
    # next code span ("with the string . For example" lost the placeholder a user asked about).
    source = (
        "* Specify the location of the environment name with the string `{venv}`. "
        "For example, the default prompt string would be `({venv})`.\n"
    )
    text = prepare_article(read_markdown(source, None)).text

    assert "with the string {venv}. For example" in text
    assert "would be ({venv})." in text


def test_a_myst_tab_is_read_under_its_label() -> None:
    # pip's caching guide gives the cache's place per system in tabs: the label says which.
    source = """## Default paths

````{tab} Linux
```
~/.cache/kettle
```
````

````{tab} MacOS
```
~/Library/Caches/kettle
```
````
"""
    text = prepare_article(read_markdown(source, None)).text

    assert "Tab" not in text
    assert text.index("Linux") < text.index("~/.cache/kettle")
    assert text.index("~/.cache/kettle") < text.index("MacOS") < text.index("~/Library")


TEXINFO_FUNCTIONS = """<html><head><title>The Closure API (libfoo manual)</title></head><body>
<h3 class="section">2.1 The Closure API</h3>
<p>Because closures work by assembling a tiny function at runtime, they need special
allocation on platforms whose heap is not executable. Two functions manage that memory:</p>
<dl class="first-deftypefn">
<dt id="index-void-1"><span class="category">Function: </span><span><strong>void</strong>
<em>*foo_closure_alloc (size_t <var>size</var>, void **<var>code</var>)</em><a href='#index-void-1'
class='copiable-anchor'> &para;</a></span></dt>
<dd><p>Allocate a chunk of memory holding <var>size</var> bytes and return the writable address.
</p></dd></dl>
<dl class="first-deftypefn">
<dt id="index-void-2"><span class="category">Function: </span><span><strong>void</strong>
<em>foo_closure_free (void *<var>writable</var>)</em></span></dt>
<dd><p>Free memory allocated using <code>foo_closure_alloc</code>.</p>
<p>The argument is the writable address that was returned.</p></dd></dl>
<div class="important"><h3 class="title">Important</h3><p>Closures are not supported on all
platforms; check the FOO_CLOSURES define before using them.</p></div>
</body></html>
"""

DOCBOOK_ONE_WORD_TITLE = """<html><head><title>fooproc</title></head><body><div class="refentry">
<div class="refnamediv"><h2>Name</h2><p>fooproc &#8212; command line processor for foo</p></div>
<div class="refsect1"><h2>Description</h2><p>fooproc is a command line tool for applying foo
stylesheets to XML documents, and it is part of the libfoo library for the desktop.</p>
<div class="important"><h3 class="title">Important</h3><p>By default, output is to stdout, and
you can name a file for output with the -o option.</p></div></div></div></body></html>
"""


def test_definition_list_terms_of_a_manual_are_read_with_their_definitions() -> None:
    # trafilatura drops a <dl>'s terms: the functions' signatures were not in the text.
    article = prepare_article(read_html(TEXINFO_FUNCTIONS, None))

    assert (
        "Function: void *foo_closure_alloc (size_t size, void **code)\n"
        "Allocate a chunk of memory holding size bytes and return the writable address."
    ) in article.text
    assert (
        "Function: void foo_closure_free (void *writable)\n"
        "Free memory allocated using foo_closure_alloc.\n\n"
        "The argument is the writable address that was returned."
    ) in article.text
    assert "¶" not in article.text


def test_each_entry_of_a_definition_list_is_a_paragraph_of_its_own() -> None:
    # Waitress's thirty arguments were one paragraph: passages were cut between a definition
    # and its "Default:" line, and the next passage opened on another entry's default.
    source = (
        "Arguments\n=========\n\n"
        "max_request_header_size\n    Maximum number of bytes of all request headers combined"
        " (integer).\n\n    Default: ``262144`` (256K)\n\n"
        "max_request_body_size\n    Maximum number of bytes in request body (integer).\n\n"
        "    Default: ``1073741824`` (1GB)\n\n"
        "expose_tracebacks\n    Set to ``True`` to expose tracebacks.\n"
    )

    article = prepare_article(read_rst(source, "arguments.rst"))

    assert article.text.split("\n\n") == [
        "max_request_header_size\nMaximum number of bytes of all request headers combined "
        "(integer).\nDefault: 262144 (256K)",
        "max_request_body_size\nMaximum number of bytes in request body (integer).\n"
        "Default: 1073741824 (1GB)",
        "expose_tracebacks\nSet to True to expose tracebacks.",
    ]


def test_a_one_word_page_title_is_kept_over_an_admonition_heading() -> None:
    assert read_html(TEXINFO_FUNCTIONS, None).title == "The Closure API (libfoo manual)"
    assert read_html(DOCBOOK_ONE_WORD_TITLE, None).title == "fooproc"


MAN_PAGE_BREAKS = r""".TH FOO 1 "2024-01-01" "foo 1.0"
.SH NAME
foo, unfoo \- squeeze files
.br
foocat \- squeeze to stdout
.SH SYNOPSIS
.B foo
.RB [ \-S\ suffix ]
.SH DESCRIPTION
.I foo
squeezes files with a block sorting algorithm.  It is
generally better than older tools.

The options are deliberately similar to
those of gzip, but they are not identical.
.SH MEMORY
    Flag     compress   decompress
     \-1      1200k       500k
     \-9      7600k      3700k
"""


def test_man_page_blank_lines_breaks_escaped_spaces_and_table_rows() -> None:
    article = prepare_article(read_man(MAN_PAGE_BREAKS, None))

    assert "foo, unfoo - squeeze files\nfoocat - squeeze to stdout" in article.text
    assert "foo [-S suffix]" in article.text
    # A blank source line is the author's paragraph break, as groff prints it.
    assert "better than older tools.\n\nThe options are" in article.text
    # Lines that start with a space start a line of their own: a table keeps its rows.
    assert "-1 1200k 500k\n-9 7600k 3700k" in article.text


def test_restructuredtext_title_entities_are_decoded() -> None:
    source = "OAuth1 & OAuth2 for Foo\n=======================\n\nFoo signs requests.\n"
    raw = read_rst(source, None)

    assert raw.title == "OAuth1 & OAuth2 for Foo"


def test_sphinx_roles_are_read_as_sphinx_shows_them() -> None:
    source = (
        "JSON\n====\n\nUse :func:`json.loads`, :py:meth:`~json.JSONDecoder.decode`, "
        ":ref:`the intro <intro>` and :option:`--verbose`.\n"
    )

    text = prepare_article(read_rst(source, None)).text

    assert text == "Use json.loads, decode, the intro and --verbose."


def test_a_projects_own_roles_are_read_as_their_text() -> None:
    # restic's FAQ and tox's docs: extlinks and config roles that docutils does not know.
    source = (
        "FAQ\n===\n\nThis is discussed in :issue:`533`. Set "
        ":conf:`install_command = ARGV <install_command>` or :conf:`depends`.\n"
    )

    text = prepare_article(read_rst(source, None)).text

    assert text == "This is discussed in issue 533. Set install_command = ARGV or depends."


def test_restructuredtext_bibliographic_fields_give_author_and_date() -> None:
    source = "Notes\n=====\n\n:Author: Jane Doe\n:Date: 2023-02-03\n\nThe notes.\n"

    article = prepare_article(read_rst(source, None))

    assert (article.author, str(article.published)) == ("Jane Doe", "2023-02-03")
    # The fields stay the document's words as well, a line each.
    assert article.text == "Author: Jane Doe\nDate: 2023-02-03\n\nThe notes."


def test_restructuredtext_fields_are_kept_as_name_and_value_lines() -> None:
    # NumExpr's README names its maintainer in its bibliographic fields, beside badges; the
    # fields were dropped but for the author, and "Who maintains NumExpr?" went unanswered.
    readme = (
        "NumExpr\n=======\n\n:Author: David M. Cooke\n:Maintainer: Robert A. McLeod\n"
        ":Travis CI: |travis|\n\n.. |travis| image:: https://travis-ci.org/numexpr.png\n\n"
        "What it is\n----------\n\nA fast evaluator.\n"
    )
    # Celery's README has its fields below a banner, as a field list; Kombu's too.
    celery = (
        ".. image:: http://example.org/banner.png\n\n:Version: 5.2.6 (dawn-chorus)\n"
        ":Web: https://docs.celeryproject.org/\n\nDonations\n=========\n\nThanks.\n\n"
        "Task queues\n===========\n\nA queue.\n"
    )

    numexpr = prepare_article(read_rst(readme, None))
    fields = prepare_article(read_rst(celery, "/srv/docs/celery_README.rst"))

    assert numexpr.text.startswith("Author: David M. Cooke\nMaintainer: Robert A. McLeod\n\n")
    assert "Travis" not in numexpr.text  # a badge has no words
    assert fields.text.startswith(
        "Version: 5.2.6 (dawn-chorus)\nWeb: https://docs.celeryproject.org/\n\nDonations"
    )
    assert fields.title == "celery_README.rst"  # a field is no title


def test_a_restructuredtext_changelog_s_first_release_is_not_its_title() -> None:
    # fontTools' NEWS.rst opens with "4.38.0 (released 2022-10-21)" over older releases.
    news = (
        "4.38.0 (released 2022-10-21)\n----------------------------\n\n- Added L4.\n\n"
        "4.37.4 (released 2022-09-30)\n----------------------------\n\n- Fixed a crash.\n"
    )

    article = prepare_article(read_rst(news, "/usr/share/doc/fonttools/NEWS.rst"))

    assert article.title == "NEWS.rst"
    assert article.text.startswith("4.38.0 (released 2022-10-21)")


def test_html_comments_in_markdown_are_not_text() -> None:
    source = "# Title\n\nBefore <!-- an inline note --> after.\n\n<!-- a block note -->\n\nText.\n"

    text = prepare_article(read_markdown(source, None)).text

    assert text == "Before after.\n\nText."


def test_markdown_footnotes_are_numbered_like_the_rendered_page() -> None:
    source = "# Title\n\nThe tool was released in 2004.[^1]\n\n[^1]: The first public release.\n"

    text = prepare_article(read_markdown(source, None)).text

    assert text == "The tool was released in 2004.[1]\n\n1. The first public release."


def test_man_page_bullets_dates_and_indented_blocks() -> None:
    source = (
        '.TH FOO 1 "2023-03-05" "foo 1.2" "User Commands"\n.SH DESCRIPTION\n'
        ".IP \\(bu 2\nfirst bullet\ncontinues here\n.IP \\(bu 2\nsecond bullet\n"
        ".RS\nIndented text.\n.RE\n.IP 1. 4\nnumbered one\n.IP \\-n\ntag term\n"
    )

    article = prepare_article(read_man(source, "foo.1"))

    assert str(article.published) == "2023-03-05"
    assert article.text.split("\n\n") == [
        "DESCRIPTION",
        "• first bullet continues here",
        "• second bullet",
        "Indented text.",
        "1. numbered one",
        "-n\ntag term",
    ]


def test_a_man_page_s_tbl_tables_are_read_as_rows_of_cells() -> None:
    # ZeroMQ's pages (AsciiDoc through DocBook) give each option's default in a tbl table; its
    # format ("tab(:); lt lt.") was read as prose and its text blocks ran into one line.
    source = (
        ".TH ZMQ_CTX_SET 3\n.SH OPTIONS\n"
        '.SS "ZMQ_MAX_SOCKETS: Set maximum number of sockets"\n'
        ".sp\nThe \\fIZMQ_MAX_SOCKETS\\fR argument sets the maximum number of sockets\\&.\n"
        ".TS\ntab(:);\nlt lt.\nT{\n.sp\nDefault value\nT}:T{\n.sp\n1023\nT}\n.TE\n.sp 1\n"
        ".TS\nallbox;\nl l\nl n.\nName\tCount\n_\n\\&.conf\t2\n.T&\nc s.\nTotal 2\n.TE\n"
        "After the tables, as \\m[blue]\\fBhttp://rfc.zeromq.org/spec:29\\fR\\m[] says.\n"
    )

    article = prepare_article(read_man(source, "zmq_ctx_set.3"))

    assert article.text.split("\n\n")[2:] == [
        "The ZMQ_MAX_SOCKETS argument sets the maximum number of sockets.",
        "Default value | 1023",
        "Name | Count\n.conf | 2\nTotal 2",
        # A colour (\m[blue]) is set, not printed.
        "After the tables, as http://rfc.zeromq.org/spec:29 says.",
    ]


def test_man_page_links_keep_their_address() -> None:
    # pgrep(1): "Please send bug reports to" then .UR procps@freelists.org .UE; the address, the
    # answer to "Where do I report pgrep bugs?", was dropped with the macros.
    source = (
        ".TH PGREP 1\n.SH AUTHOR\n.UR kjetilho@ifi.uio.no\nKjetil Torgrim Homme\n.UE\n"
        '.SH "REPORTING BUGS"\nPlease send bug reports to\n.UR procps@freelists.org\n.UE .\n'
    )

    text = prepare_article(read_man(source, "pgrep.1")).text

    assert text.split("\n\n") == [
        "AUTHOR",
        "Kjetil Torgrim Homme <kjetilho@ifi.uio.no>",
        "REPORTING BUGS",
        "Please send bug reports to procps@freelists.org.",
    ]


def test_superscript_and_subscript_numbers_keep_their_meaning() -> None:
    page = (
        "<html><head><title>Limits</title></head><body><main><article><h1>Limits</h1>"
        "<p>The table holds up to 10<sup>6</sup> rows of H<sub>2</sub>O readings, "
        "as the 1<sup>st</sup> release documented.<sup><a href='#fn1'>1</a></sup></p>"
        "<p>Each reading is stored once and kept for a year before it is removed.</p>"
        "</article></main></body></html>"
    )

    text = prepare_article(read_html(page, None)).text
    markdown = prepare_article(read_markdown("# Area\n\nThe room is 5 m<sup>2</sup>.", None)).text

    assert text.startswith(
        "The table holds up to 10⁶ rows of H₂O readings, as the 1st release documented.¹"
    )
    assert markdown == "The room is 5 m²."


def test_an_ordered_list_keeps_the_number_it_starts_at() -> None:
    page = (
        "<html><head><title>Install</title></head><body><main><article><h1>Install</h1>"
        "<p>The first two steps are on the previous page; installation continues here.</p>"
        "<ol start='3'><li>Run the <code>installer</code>.</li><li>Reboot the machine.</li></ol>"
        "</article></main></body></html>"
    )

    text = prepare_article(read_html(page, None)).text

    assert "3. Run the installer.\n4. Reboot the machine." in text


def test_a_table_row_spanning_its_columns_has_no_trailing_separator() -> None:
    page = (
        "<html><head><title>Timeouts</title></head><body><main><article><h1>Timeouts</h1>"
        "<p>The service reads these settings when it starts and keeps them until it stops.</p>"
        "<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>"
        "<tr><td>timeout</td><td>30 s</td></tr>"
        "<tr><td colspan='2'>All values are in seconds.</td></tr></tbody></table>"
        "</article></main></body></html>"
    )

    text = prepare_article(read_html(page, None)).text

    assert text.endswith("Name | Value\ntimeout | 30 s\nAll values are in seconds.")


ASCIIDOCTOR_PAGE = r""".TH "CHRT" "1" "2022-05-11" "util\-linux 2.38.1" "User Commands"
.ie \n(.g .ds Aq \(aq
.el       .ds Aq '
.de URL
\fI\\$2\fP <\\$1>\\$3
..
.als MTO URL
.if \n[.g] \{\
.  mso www.tmac
.  am URL
.    ad l
.  .
.\}
.SH "EXAMPLES"
.RS 4
.ie n \{\
\h'-04'\(bu\h'+03'\c
.\}
.el \{\
.  sp -1
.  IP \(bu 2.3
.\}
# \fBchrt\fP \-p 89
.RE
.SH "AUTHORS"
.MTO "rml\(attech9.net" "Robert Love" ","
.MTO "kzak\(atredhat.com" "Karel Zak" ""
.SH "REPORTING BUGS"
For bug reports, use the issue tracker at
.URL "https://github.com/util\-linux/util\-linux/issues" "" "."
"""


def test_a_man_page_s_own_macros_and_conditions_are_read_as_groff_sets_them() -> None:
    # util-linux's pages (Asciidoctor) define .URL and .MTO: the authors and every link were
    # dropped, the macro's body was stored as text ("\\$2 <\\$1>\\$3"), and a bullet written
    # for nroff and for troff was read twice (a stray "\h'-04'•\h'+03'" paragraph).
    text = prepare_article(read_man(ASCIIDOCTOR_PAGE, "chrt.1")).text

    assert text.split("\n\n") == [
        "EXAMPLES",
        "• # chrt -p 89",
        "AUTHORS",
        "Robert Love <rml@tech9.net>, Karel Zak <kzak@redhat.com>",
        "REPORTING BUGS",
        "For bug reports, use the issue tracker at "
        "<https://github.com/util-linux/util-linux/issues>.",
    ]


def test_a_man_page_macro_that_calls_itself_is_cut_off_and_pod2man_verbatim_is_code() -> None:
    source = (
        ".TH FOO 1\n.de Vb\n.ft CW\n.nf\n.ne \\\\$1\n..\n.de Ve\n.ft R\n.fi\n..\n"
        ".de LOOP\nloop \\\\$1\n.LOOP \\\\$1\n..\n.SH EXAMPLES\nRun it so:\n.Sp\n.Vb 2\n"
        "\\&    foo \\-\\-bar \\e\n\\&        \\-\\-baz\n.Ve\n.LOOP x\n"
    )

    article = prepare_article(read_man(source, "foo.1"))
    paragraphs = article.text.split("\n\n")

    assert paragraphs[:3] == ["EXAMPLES", "Run it so:", "    foo --bar \\\n        --baz"]
    assert paragraphs[3].split() == ["loop", "x"] * 8  # eight levels, then no more


SPHINX_RST = """Iris plants dataset
===================

.. toctree::
   :maxdepth: 2

   intro

The data set contains 3 classes of 50 instances each.

.. dropdown:: References
   :open:

   - Fisher, R.A. The use of multiple measurements (1936).

.. versionadded:: 2.0
   The ``as_frame`` parameter.

.. option:: -v, --verbose

   Print every row as it is read.

.. only:: html

   Shown in the web pages only.
"""


def test_sphinx_directives_keep_their_content() -> None:
    # scikit-learn's dataset pages hold their references in ".. dropdown::" blocks: plain
    # docutils dropped every unknown directive with its content ("1936" could not be found).
    text = prepare_article(read_rst(SPHINX_RST, "iris.rst")).text

    assert text.split("\n\n") == [
        "The data set contains 3 classes of 50 instances each.",
        "References",
        "• Fisher, R.A. The use of multiple measurements (1936).",
        "Added in version 2.0: The as_frame parameter.",
        "-v, --verbose",
        "Print every row as it is read.",
        "Shown in the web pages only.",
    ]


def test_macros_multiplying_each_other_stop_at_a_budget() -> None:
    # Seven macros each calling the next ten times would expand to 10^7 lines: bad input is
    # read in bounded time and size, not hung on.
    definitions = "".join(
        f".de M{level}\n" + f".M{level + 1}\n" * 10 + "..\n" for level in range(7)
    )
    source = f".TH BOMB 1\n{definitions}.de M7\nboom\n..\n.SH DESCRIPTION\nSafe text.\n.M0\n"

    text = prepare_article(read_man(source, "bomb.1")).text

    assert text.startswith("DESCRIPTION\n\nSafe text. boom boom")
    assert text.count("boom") <= 30_000


POD2MAN_PAGE = r""".TH CA.PL 1
.ie n \{\
.    ds C` ""
.    ds C' ""
'br\}
.el\{\
.    ds C`
.    ds C'
'br\}
.ds L" ""
.ds R" ""
.ie \n(.g .ds Aq \(aq
.el       .ds Aq '
.ds Hi Hello,
.as Hi " world
.ds q \N'34'
.SH DESCRIPTION
It is used as the \*(L"friendly name\*(R" of the user\*(Aqs key; type
\*(C`man openssl\*(C'. \*(lqQuoted\*(rq, \*[Hi], \*qdash\*q and \*(Xx gone.
"""


def test_a_man_page_s_strings_are_interpolated() -> None:
    # pod2man quotes with \*(L" and \*(R" and marks code with \*(C` and \*(C', strings defined
    # by .ds for nroff: 266 of 2,802 system manual pages were stored with them as written.
    text = prepare_article(read_man(POD2MAN_PAGE, "CA.pl.1")).text

    assert text.split("\n\n") == [
        "DESCRIPTION",
        'It is used as the "friendly name" of the user\'s key; type "man openssl". '
        '“Quoted”, Hello, world, "dash" and gone.',
    ]


API_PAGE = """<!DOCTYPE html>
<html><head><title>Frobnicator | Foo v2.1.0 Documentation</title></head><body>
<header><h1>Foo v2.1.0 documentation</h1></header>
<div role="main" id="apicontent">
<h2>Frobnicator<span><a class="mark" href="#frobnicator">#</a></span></h2>
<div class="stability"><a href="documentation.html#stability">Stability: 1</a> - Experimental</div>
<p>The frobnicator turns widgets into gadgets. It reads the widget list from the project's
configuration and writes one gadget for each widget it finds, in the order they are listed.</p>
<p>Widgets that cannot be read are skipped with a warning on standard error, and the run goes
on with the next one until every widget has been turned.</p>
</div></body></html>"""


def test_a_division_holding_only_a_line_of_text_is_a_paragraph() -> None:
    # Node.js API pages put "Stability: 1 - Experimental" in a <div> of its own; trafilatura
    # keeps text only from blocks it knows and dropped the line.
    article = prepare_article(read_html(API_PAGE, None))

    assert article.text.startswith("Stability: 1 - Experimental\n\nThe frobnicator turns")


def test_the_page_s_side_of_its_title_is_the_one_a_top_heading_repeats() -> None:
    # "Corepack | Node.js v20.20.2 Documentation" was titled "Node.js v20.20.2 documentation"
    # after the site's own <h1>.
    assert read_html(API_PAGE, None).title == "Frobnicator"


RUSTDOC_PAGE = """<!DOCTYPE html>
<html><head><title>is_widget_ready in widgets - Rust</title></head><body>
<main><section id="main-content" class="content">
<div class="main-heading"><h1>Macro <span class="macro">is_<wbr>widget_<wbr>ready</span>&nbsp;
<button id="copy-path" title="Copy item path to clipboard">Copy item path</button></h1></div>
<pre class="rust item-decl"><code>macro_rules! is_widget_ready {
    ("gear") =&gt; { ... };
}</code></pre><span class="item-info"><div class="stab unstable"><span>This is a nightly-only
experimental API. (<code>widgets_internal</code>)</span></div><div class="stab portability">
Available on <strong>x86 or x86-64</strong> only.</div></span>
<details class="toggle top-doc" open><summary class="hideme"><span>Expand description</span>
</summary><div class="docblock"><p>Check at run time
whether a widget of the given kind is ready to be turned into a gadget by the frobnicator.</p>
<p>The macro takes one string literal, the kind of widget, and expands to a boolean that is true
when the widget can be read from the project's configuration.</p></div></details>
<h2 id="implementations" class="section-header">Implementations</h2>
<details class="toggle method-toggle" open><summary><section id="method.from_gears" class="method">
<span class="rightside"><span class="since">1.3.0</span> · <a class="src" href="../src/w.rs.html">
Source</a></span><h4 class="code-header">pub const fn <a href="#method.from_gears" class="fn">
from_gears</a>(gears: <a class="primitive" href="../primitive.u64.html">u64</a>) -&gt; <a
class="struct" href="struct.Widget.html" title="struct widgets::Widget">Widget</a></h4></section>
</summary><div class="docblock"><p>Creates a new widget from the given number of gears, each
turning at the speed the project's configuration sets for its kind.</p></div></details>
</section></main></body></html>"""


def test_a_button_s_label_is_not_part_of_the_title() -> None:
    # rustdoc puts a "Copy item path" button inside the page's <h1>: the page was titled
    # "Macro is_widget_ready Copy item path".
    assert read_html(RUSTDOC_PAGE, None).title == "Macro is_widget_ready"


def test_a_line_of_formatted_text_outside_paragraphs_is_kept_whole() -> None:
    # trafilatura kept only the formatted words of a <div> it does not read as a block:
    # "widgets_internal)" and "x86 or x86-64only." were stored for these two lines.
    text = prepare_article(read_html(RUSTDOC_PAGE, None)).text

    assert "This is a nightly-only experimental API. (widgets_internal)" in text
    assert "Available on x86 or x86-64 only." in text
    assert "Copy item path" not in text


def test_the_formatting_kept_whole_is_what_trafilatura_keeps() -> None:
    from trafilatura.htmlprocessing import REND_TAG_MAPPING

    from articleqa.ingest.html import _KEPT_FORMATTING

    # A tag trafilatura keeps as formatting that we do not know would cut lines again.
    assert set(REND_TAG_MAPPING) <= _KEPT_FORMATTING


MDBOOK_PAGE = """<!DOCTYPE html>
<html><head><title>What is frob? - The frob book</title></head><body>
<nav id="sidebar"><ol><li><a href="what-is-frob.html">What is frob?</a></li></ol></nav>
<div id="content" class="content"><main>
<h1 id="what-is-frob"><a class="header" href="#what-is-frob">What is frob?</a></h1>
<p>The frob tool turns widgets into gadgets, one gadget for each widget it reads from the
project's configuration file, in the order the widgets are listed there.</p>
<h2 id="basic-usage"><a class="header" href="#basic-usage">Basic usage</a></h2>
<p>Run frob in the project's folder; it reads frob.toml and writes the gadgets beside it,
skipping with a warning every widget it cannot read.</p>
<h2 id="configuring-frob"><a class="header" href="#configuring-frob">Configuring frob</a></h2>
<p>The configuration file lists the widgets under a table of its own, each with a name and
the kind of gadget it should become when it is turned.</p>
</main></div></body></html>"""


def test_a_heading_linking_to_itself_keeps_its_words() -> None:
    # Every mdBook heading is a link to its own anchor; in mdBook's page (<main> in a
    # <div class="content">) trafilatura dropped them all.
    article = read_html(MDBOOK_PAGE, None)
    headings = [b.text for b in article.blocks if b.kind is BlockKind.HEADING]

    assert article.title == "What is frob?"
    assert headings == ["Basic usage", "Configuring frob"]


def test_the_page_s_side_of_its_title_is_found_whatever_the_heading_s_case() -> None:
    # mdBook titles a chapter "Rust version - The Cargo Book" above the book's own <h1> "The
    # Cargo Book" and the chapter's "Rust Version": the page was titled after the book.
    page = MDBOOK_PAGE.replace(
        "<title>What is frob? - The frob book</title>",
        "<title>What Is Frob? - The frob book</title>",
    ).replace('<nav id="sidebar">', '<h1 class="menu-title">The frob book</h1><nav id="sidebar">')

    article = read_html(page, None)

    assert article.title == "What Is Frob?"
    # The heading that is the title is not repeated as the first section's heading.
    assert article.blocks[0].kind is BlockKind.TEXT


def test_a_signature_heading_in_a_disclosure_is_kept_with_its_documentation() -> None:
    # rustdoc shows each method's signature as a heading inside a <summary>, its types linked
    # to their pages: trafilatura dropped every such heading, and the documentation under it
    # stood without the name of what it documents.
    article = read_html(RUSTDOC_PAGE, None)
    headings = [b.text for b in article.blocks if b.kind is BlockKind.HEADING]
    text = prepare_article(article).text

    assert "pub const fn from_gears(gears: u64) -> Widget" in headings
    assert "Creates a new widget from the given number of gears" in text


def test_headings_above_the_title_heading_are_the_page_s_not_the_article_s() -> None:
    # A news site's category over its story's <h1> ("#GameTechie", linked to the category)
    # was kept as the story's first heading once links in headings were read.
    page = MDBOOK_PAGE.replace(
        '<h1 id="what-is-frob">', '<h3>#ToolTechie</h3><h1 id="what-is-frob">'
    )
    article = read_html(page, None)

    assert article.title == "What is frob?"
    assert article.blocks[0].text.startswith("The frob tool turns widgets")


README_PAGE = """<!DOCTYPE html>
<html><head><title>FROB - widgets into gadgets</title></head>
<body>
<h2>FROB - widgets into gadgets</h2>

<h3>Overview</h3>
<p>FROB implements a small model that turns the widgets a project lists into gadgets, one
gadget for each widget, in the order the configuration lists them.</p>

<h3>Building</h3>
<p>To build FROB on your system please run <tt>configure</tt> and <tt>make</tt>.</p>
<p>On Win32 cmake is required, generally:</p>
<ul>
<li>mkdir build</li>
<li>cmake ..</li>
</ul>

<h3>License</h3>
<p>This program is free software; you can redistribute it under the terms of the MIT License.</p>
</body></html>"""


def test_a_page_without_layout_keeps_its_headings_and_lists() -> None:
    # A README rendered to HTML (json-c's), a texinfo manual (GNU bc's): headings and
    # paragraphs straight in <body>. trafilatura found no container and kept the paragraphs
    # alone: no heading, no list.
    article = read_html(README_PAGE, None)
    headings = [b.text for b in article.blocks if b.kind is BlockKind.HEADING]

    assert headings == ["Overview", "Building", "License"]
    assert "• mkdir build\n• cmake .." in article.text


LOOSE_TEXT_PAGE = """<html><head><title>frob Usage Example</title></head><body>
<h2 align="center">frob Usage Example</h2>
We often get questions about how the <tt>turn()</tt> and <tt>unturn()</tt> functions should be
used. Users wonder when they should provide more widgets and what to do with a
<tt>FROB_BUSY</tt> error.
<p>
Here are the first lines of the example, with the annotations between the lines of code,
so please read between the lines; we hope this explains how gadgets come out of widgets.
<p>
Every widget is read whole before it is turned, so a short read is reported as an error.
</body></html>"""


def test_a_page_of_loose_text_keeps_its_paragraphs_whole() -> None:
    # zlib's usage example: text straight in <body>, <p> only marking breaks. Read as a page
    # without layout, every inline <tt> cut its paragraph ("turn()and").
    text = read_html(LOOSE_TEXT_PAGE, None).text

    assert "how the turn() and unturn() functions should be used" in " ".join(text.split())
    assert "\n\nturn()" not in text


def test_a_heading_is_no_title_beside_other_top_level_headings() -> None:
    # A Sphinx book's index: its <title> names the book, and its first of several <h1>s,
    # "Abstract", titled it.
    page = MDBOOK_PAGE.replace(
        "<title>What is frob? - The frob book</title>", "<title>Frob Book 1.0 documentation</title>"
    ).replace("</main>", "<h1>Indices and tables</h1><p>Search the book.</p></main>")

    assert read_html(page, None).title == "Frob Book 1.0 documentation"


def test_markup_inside_a_literal_stays_in_its_place() -> None:
    # Sphinx sets a placeholder in a literal as <em>: "python3.Y" was stored as "Ypython3.",
    # and the placeholder's "Y" at the end of the paragraph; DocBook's synopses ran "--maxdepth
    # VALUE" into "--maxdepth | VALUE--maxvars".
    page = MDBOOK_PAGE.replace(
        "<p>Run frob in the project's folder;",
        '<p>The package must depend on the <code class="samp"><span class="pre">python3.</span>'
        '<em><span class="pre">Y</span></em></code> package that installs the executable, run as'
        ' <code>frob --depth\n   <em class="replaceable"><code>VALUE</code></em></code> to limit'
        " it."
        "</p><p>Run frob in the project's folder;",
    )
    text = read_html(page, None).text

    assert (
        "must depend on the python3.Y package that installs the executable, run as frob --depth "
        "VALUE to limit it." in text
    )


def test_an_xhtml_page_declaring_its_encoding_is_prepared_like_any_page() -> None:
    # lxml refuses a decoded page that declares an encoding: libxslt's FAQ (gtk-doc) was titled
    # after the site's <h1> and its literals were not prepared ("installed under so that ...").
    page = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>FAQ</title></head><body>'
        "<h1>The FROB C library for GNOME</h1><h2>FAQ</h2>"
        "<p>The sources are installed under <code><em>prefix</em>/frob</code> so that other "
        "modules may find them when they build, and the headers beside them in include/.</p>"
        "<p>Each module is built once, and the modules that need it link against the library "
        "that the build leaves in the top folder of the tree.</p></body></html>"
    )
    article = read_html(page, None)

    assert article.title == "FAQ"
    assert "installed under prefix/frob so that other modules" in article.text


LOOSE_NEWS_PAGE = """<html><head><title>The yacht contract</title></head><body><article>
<h1>The yacht contract</h1>
<div class="article-body"><div class="image"><img src="yacht.jpg"><div class="caption">The
yacht in port.</div></div>"From now on, we're going to be playing in the first division," the
owner told his employees, and he would not say more about it for weeks.
<br /><br />
The firm had just signed on to guard <a href="https://example.org/yacht"><em>Queen Mira</em></a>,
the $70 million yacht of a casino owner who already had a large security team of his own.
<br /><br />
One source close to the case said that <b>an official</b> was robbed while carrying papers
about the plan, and that the papers were never found again.
</div></article></body></html>"""


def test_loose_text_beside_blocks_is_read_in_whole_paragraphs() -> None:
    # A news page's paragraphs parted by <br><br> in a <div> beside a picture: trafilatura cut
    # each at its link or bold words ("signed on to guard⏎⏎Queen Miri, the $70 million yacht").
    paragraphs = read_html(LOOSE_NEWS_PAGE, None).text.split("\n\n")

    assert (
        "The firm had just signed on to guard Queen Mira, the $70 million yacht of a casino "
        "owner who already had a large security team of his own."
    ) in paragraphs
    assert (
        "One source close to the case said that an official was robbed while carrying papers "
        "about the plan, and that the papers were never found again."
    ) in paragraphs


def test_the_site_s_side_of_a_title_is_the_one_its_menu_repeats() -> None:
    # The Cargo Book's command pages: <title> "cargo build - The Cargo Book", the menu's <h1>
    # "The Cargo Book" and the chapter's own <h1> "cargo-build(1)": the page was titled after
    # the book.
    page = (
        MDBOOK_PAGE.replace(
            "<title>What is frob? - The frob book</title>",
            "<title>frob run - The frob book</title>",
        )
        .replace(
            '<nav id="sidebar">', '<h1 class="menu-title">The frob book</h1><nav id="sidebar">'
        )
        .replace(
            '<a class="header" href="#what-is-frob">What is frob?</a>',
            '<a class="header" href="#what-is-frob">frob-run(1)</a>',
        )
    )

    assert read_html(page, None).title == "frob run"


def test_a_man_page_s_zero_width_escapes_print_nothing() -> None:
    # rustc(1) writes break points in a long option ("crate-name|\:file-names"), fuser(1) an
    # italic correction ("-SIGNAL\/"); both were stored as written. And an escaped backslash
    # before a bar is a backslash and a bar, not the zero-width "\|".
    page = (
        ".TH FROB 1\n.SH OPTIONS\n.TP\n"
        "\\fB\\-\\-print\\fR [crate\\-name|\\:file\\-names|\\:sysroot]\n"
        "Unless changed with \\fI\\-SIGNAL\\/\\fR, the frobnicator prints the file names.\n"
        "A pattern such as a\\e|b matches either word.\n"
    )
    text = read_man(page, "frob.1").text

    assert "--print [crate-name|file-names|sysroot]" in text
    assert "Unless changed with -SIGNAL, the frobnicator" in text
    assert "a\\|b matches" in text


CORE_METADATA = """Metadata-Version: 2.4
Name: frobnicate
Version: 2.1.0
Summary: Turn widgets into gadgets.
Author-email: Marta Kovalenko <marta@example.org>
License-Expression: MIT
Requires-Python: >=3.10
Requires-Dist: widgets>=1.2
Classifier: Programming Language :: Python :: 3
Description-Content-Type: {kind}

{body}"""


@pytest.mark.parametrize(
    ("kind", "body", "read"),
    [
        (
            "text/markdown",
            "# frobnicate\n\nfrobnicate turns the widgets a project lists into gadgets.\n",
            read_markdown,
        ),
        (
            "text/x-rst",
            "frobnicate\n==========\n\nfrobnicate turns the widgets a project lists into "
            "gadgets.\n",
            read_rst,
        ),
    ],
)
def test_a_package_s_core_metadata_keeps_a_field_a_line(kind: str, body: str, read: Any) -> None:
    # A wheel's METADATA saved as a document: its header ran into one paragraph ("Metadata-Version:
    # 2.4 Name: fastapi Version: 0.165.0 Summary: ..."), which was also its title.
    article = read(CORE_METADATA.format(kind=kind, body=body), None)

    assert article.title == "frobnicate: Turn widgets into gadgets."
    assert article.author == "Marta Kovalenko"
    lines = article.text.split("\n")
    assert "Version: 2.1.0" in lines
    assert "Requires-Python: >=3.10" in lines
    assert "Requires-Dist: widgets>=1.2" in lines
    assert "Classifier" not in article.text and "Metadata-Version" not in article.text
    assert "frobnicate turns the widgets a project lists into gadgets." in article.text


NODE_API_PAGE = """<!DOCTYPE html>
<html><head><title>Frob | Foo v2.1.0 Documentation</title></head><body>
<nav><ul><li><a href="index.html">Home</a></li><li><a href="frob.html">Frob</a></li></ul></nav>
<div id="column1" data-id="frob" class="interior"><div id="apicontent">
<section><h2>Frob<span><a class="mark" href="#frob" id="frob">#</a></span></h2>
<p>The frob module turns widgets into gadgets, one gadget for each widget that the project's
configuration lists, in the order the widgets are listed there.</p>
</section>
<section><h3><code>frob.turn(widget)</code><span><a class="mark" href="#frobturn"
id="frobturn">#</a></span></h3>
<ul>
<li><code>widget</code> <a href="https://example.org/t#o" class="type">&lt;Object&gt;</a></li>
<li>Returns: <a href="https://example.org/t#s" class="type">&lt;string&gt;</a></li>
</ul>
<p>The <code>frob.turn()</code> method turns one widget into a gadget and returns the
gadget's name; a widget that cannot be read throws a TypeError, and nothing is written.</p>
</section>
<section><h3><code>frob.count(widget)</code><span><a class="mark" href="#frobcount"
id="frobcount">#</a></span></h3>
<ul>
<li><code>widget</code> <a href="https://example.org/t#o" class="type">&lt;Object&gt;</a></li>
<li>Returns: <a href="https://example.org/t#s" class="type">&lt;number&gt;</a></li>
</ul>
<p>The <code>frob.count()</code> method counts the gadgets that one widget would give
without turning it, so that a caller can see how much work a run of frob would be.</p>
</section>
<section><h3><code>frob.check(widget)</code><span><a class="mark" href="#frobcheck"
id="frobcheck">#</a></span></h3>
<ul>
<li><code>widget</code> <a href="https://example.org/t#o" class="type">&lt;Object&gt;</a></li>
<li>Returns: <a href="https://example.org/t#s" class="type">&lt;boolean&gt;</a></li>
</ul>
<p>The <code>frob.check()</code> method tells whether a widget can be read at all, which
is cheaper than turning it and catching the TypeError that an unreadable widget throws.</p>
</section>
<ul class="tags"><li><a href="/t/1">Gadgets</a>, <a href="/t/2">Widgets</a></li></ul>
</div></div></body></html>"""


def test_a_list_item_s_links_are_its_words_when_it_has_words_of_its_own() -> None:
    # Node.js lists each parameter as "<code>path</code> <a>&lt;string></a>": trafilatura took
    # such lists for link lists and dropped them, "Returns: <string>" under every method of
    # path.html (34 "Returns:" kept of 45). The page is prepared with those links unwrapped.
    from articleqa.ingest.html import _prepared

    page = _prepared(NODE_API_PAGE)
    assert not isinstance(page, str)
    items = {" ".join(li.text_content().split()): li for li in page.iter("li")}

    assert items["widget <Object>"].find(".//a") is None
    assert items["Returns: <boolean>"].find(".//a") is None
    # A menu's items and a list of tags are links alone: still the extractor's to judge.
    assert items["Home"].find(".//a") is not None
    assert items["Gadgets, Widgets"].find(".//a") is not None


def test_core_metadata_whose_description_is_only_a_title_is_read_by_either_reader() -> None:
    # The reST reader read the description as a document of its own first, and refused one
    # that is only a title ("no text besides headings"), which the Markdown reader took: the
    # fields are the article's text either way.
    for kind, body, read in (
        ("text/markdown", "# frobnicate\n", read_markdown),
        ("text/x-rst", "frobnicate\n==========\n", read_rst),
    ):
        article = read(CORE_METADATA.format(kind=kind, body=body), None)

        assert article.title == "frobnicate: Turn widgets into gadgets."
        assert "Version: 2.1.0" in article.text.split("\n")


def test_a_table_of_one_cell_is_layout_and_its_listing_keeps_its_lines() -> None:
    # fontconfig's user manual (DocBook HTML) sets its property table in a <pre> inside a
    # one-cell table: it was run into one line, and "minspace" could not be quoted.
    page = (
        "<html><head><title>fonts-conf</title></head><body><h1>fonts-conf</h1>"
        "<p>While font patterns may contain any properties, some well known ones have types.</p>"
        '<TABLE BORDER="0" BGCOLOR="#E0E0E0" WIDTH="100%"><TR><TD><PRE CLASS="PROGRAMLISTING">'
        "  Property        Type    Description\n"
        "  family          String  Font family names\n"
        "  minspace        Bool    Eliminate leading from line spacing\n"
        "</PRE></TD></TR></TABLE>"
        "<p>Fontconfig performs matching by measuring the distance to all fonts.</p>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
        "</body></html>"
    )
    text = read_html(page, None).text

    assert "  minspace        Bool    Eliminate leading from line spacing" in text.split("\n")
    assert "a | b\nc | d" in text  # a table of data stays one


def test_a_restructuredtext_title_field_titles_a_page_without_one() -> None:
    # awscli's topic guides give their title in a field and have several top-level sections:
    # the page was titled with its first sentence, cut short.
    page = (
        ":title: AWS CLI S3 Configuration\n:description: Advanced configuration\n\n"
        "The aws s3 transfer commands have additional configuration values.\n\n"
        "Configuration Values\n====================\n\nThese are the values.\n\n"
        "max_queue_size\n==============\n\nThe maximum number of tasks.\n"
    )
    article = read_rst(page, "s3-config.rst")

    assert article.title == "AWS CLI S3 Configuration"
    assert article.text.startswith("The aws s3 transfer commands")


def test_a_text_file_shown_with_a_break_a_line_is_read_in_paragraphs() -> None:
    # Valgrind's README pages (DocBook's literallayout): every line of the text file ends in a
    # <br>, a blank line in two. Each line was kept as a line, so sentences were cut where the
    # file wrapped them ("that has not been tested by the Valgrind developers." was a quote's
    # highlight); lines broken on purpose stay lines.
    page = (
        "<html><head><title>README_PACKAGERS</title></head><body><h1>README_PACKAGERS</h1>"
        '<div class="literallayout"><p><br>\n'
        "Greetings, packaging person!  This information is aimed at people<br>\n"
        "building binary distributions of Valgrind.<br>\n<br>\n"
        "-- Do not ship your Linux distro with a completely stripped<br>\n"
        "   /lib/ld.so.  At least leave the debugging symbol names on -- line<br>\n"
        "   number info isn't necessary.  Valgrind's Memcheck tool needs to<br>\n"
        "   intercept calls to some symbols in ld.so at startup.<br>\n</p></div>"
        "<h2>Functions</h2><p>Function: void sha384_init (struct sha384_ctx *ctx)<br>\n"
        "Function: void sha384_update (struct sha384_ctx *ctx, size_t length)<br>\n"
        "Function: void sha384_digest (struct sha384_ctx *ctx, uint8_t *digest)<br>\n"
        "Function: void sha512_init (struct sha512_ctx *ctx, size_t length)</p>"
        "</body></html>"
    )
    paragraphs = prepare_article(read_html(page, None)).text.split("\n\n")

    assert (
        "Greetings, packaging person! This information is aimed at people building binary "
        "distributions of Valgrind."
    ) in paragraphs
    assert (
        "-- Do not ship your Linux distro with a completely stripped /lib/ld.so. At least leave "
        "the debugging symbol names on -- line number info isn't necessary. Valgrind's Memcheck "
        "tool needs to intercept calls to some symbols in ld.so at startup."
    ) in paragraphs
    signatures = next(p for p in paragraphs if p.startswith("Function: void sha384_init"))
    assert signatures.count("\n") == 3
