"""Reading a question: the subjects it names, the kind of answer it expects."""

from __future__ import annotations

import random
import re

import pytest

from articleqa import question
from articleqa.lexical import terms
from articleqa.loose_match import loosely_in as _loosely_in
from articleqa.question import (
    AnswerType,
    answer_type,
    holds_literal,
    question_names,
    rare_words,
    read_question,
    set_aside,
    spells_out,
    states_authorship,
    states_default,
    states_limit,
    word_frequency,
)
from tests.conftest import SAMPLE_ARTICLES


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What did Putin ask Musk about Taiwan?", ["Putin", "Musk", "Taiwan"]),
        ("Which grep option selects non-matching lines?", []),
        ("What does SOME_ENV_VAR control in pip 24.1?", ["SOME_ENV_VAR", "24.1"]),
        ("What Is The Default Port?", []),  # Title Case says nothing about names
        ("How does getElementById work?", ["getElementById"]),
        ("Who founded the NSA?", ["NSA"]),
        ("Which setuptools release reads pyproject.toml?", ["pyproject.toml"]),
        ("What did Mr. Smith say?", ["Smith"]),
        # "I" is capitalised in any question; it does not make one Title Case.
        ("How do I set the OOM score of a Docker container?", ["OOM", "Docker"]),
    ],
)
def test_names_are_read_from_the_question_s_shape(question: str, names: list[str]) -> None:
    assert question_names(question) == names


def test_words_rare_in_english_are_subjects_and_common_ones_are_not() -> None:
    subjects = read_question("Which sed option disables all extensions?").subjects

    assert frozenset({"sed"}) in subjects
    assert frozenset({"option"}) not in subjects


@pytest.mark.parametrize(
    ("question", "subjects", "not_subjects"),
    [
        # Node.js's OpenSSL guide answers with "nasm ... Version 2.11 or higher" under its
        # requirements, and says "regenerate" nowhere near: the action is no subject.
        (
            "What nasm version do I need to regenerate the OpenSSL build files?",
            ["nasm", "OpenSSL"],
            ["regenerate"],
        ),
        # Git's release notes: with only "git" left, Node.js's guides answered this one.
        (
            "Which option did git symbolic-ref learn to stop after dereferencing it once?",
            ["git", "dereferencing"],
            [],
        ),
        ("How to rebase in Mercurial?", ["Mercurial"], ["rebase"]),
        # A thing the action is done to stays one, and so does a tool named after "to".
        ("How do I pipe output to grep?", ["grep"], []),
        ("Which gawk option writes an execution profile?", ["gawk"], []),
    ],
)
def test_an_action_the_question_names_is_not_a_subject(
    question: str, subjects: list[str], not_subjects: list[str]
) -> None:
    said = read_question(question).subjects

    assert all(frozenset(terms(word)) in said for word in subjects)
    assert not any(frozenset(terms(word)) in said for word in not_subjects)


def test_a_word_with_its_consonant_doubled_is_as_common_as_its_base() -> None:
    # "formatting" is "format" (common), not a rare word to find in the answer.
    assert "formatting" not in rare_words("What should formatting a date in Spanish return?")
    assert word_frequency("formatting") == word_frequency("format")
    assert word_frequency("stopped") == word_frequency("stop")
    assert "grep" in rare_words("Who wrote grep?")


def test_a_common_word_undone_or_done_again_is_no_subject() -> None:
    # dbclient(1): "How many keepalives can go unanswered before dbclient drops the
    # connection?" was declined, no passage saying "unanswered" ("If no response is received
    # for 3 consecutive keepalives"); memcached's "reconnecting" too.
    found = rare_words("How many keepalives can go unanswered before dbclient drops it?")
    assert found == ["dbclient", "keepalives"]
    assert "reconnecting" not in rare_words("Why not keep reconnecting for every request?")
    # A program's name made so is not inflected: it stays a subject.
    assert "unbuffer" in rare_words("What does unbuffer do?")
    assert "unbuffered" not in rare_words("Is the output unbuffered?")


def test_names_typed_as_identifiers_are_marked_to_be_matched_exactly() -> None:
    info = read_question("Does Lyon read pyproject.toml or SOME_VAR?")

    assert info.typed == {frozenset(terms("pyproject.toml")), frozenset(terms("SOME_VAR"))}
    assert frozenset(terms("Lyon")) in info.subjects


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When was the lifeboat built?", AnswerType.TIME),
        ("In what year did Debian start?", AnswerType.TIME),
        ("In which year did Debian start?", AnswerType.TIME),
        # A release is asked for: answered by "1.6.0", not by any number.
        ("In which pip version was percent-encoding added?", AnswerType.VERSION),
        ("Which pinentry release started warning when Caps Lock is on?", AnswerType.VERSION),
        ("What version of Python does httpx need?", AnswerType.NUMBER),
        ("Which release notes mention the fix?", AnswerType.ANY),
        # After "what is the": the release is still what is asked for, not its date or cycle.
        ("What is the oldest Meson release that can build dav1d?", AnswerType.VERSION),
        ("What is the release date of Debian 12?", AnswerType.ANY),
        ("Which release cycle does Ubuntu follow?", AnswerType.ANY),
        ("Which port does the inspector listen on?", AnswerType.NUMBER),
        ("How many jobs will the factory create?", AnswerType.NUMBER),
        ("What uid did operator have?", AnswerType.NUMBER),
        # A quantity behind a few words, but not across "of".
        ("What is ssh-keyscan's default connection timeout?", AnswerType.NUMBER),
        ("What is the default polling interval?", AnswerType.NUMBER),
        # A range is said by its bounds: "between 50.0 and 1600.0".
        ("What range of page delay values can I set?", AnswerType.NUMBER),
        ("What is the name of the port the inspector uses?", AnswerType.ANY),
        ("Which grep option prints only file names?", AnswerType.CODE),
        # The kind its first words name is asked for; the quantity is what it sets.
        ("Which dav1d command-line option sets how many threads it uses?", AnswerType.CODE),
        ("Which flag sets the connection timeout?", AnswerType.CODE),
        # A program's name has hyphens.
        ("Which nullmailer-inject flag prints the message instead?", AnswerType.CODE),
        # A kind word making a compound with the quantity does not.
        ("What key size does ssh-keygen use?", AnswerType.NUMBER),
        ("How do I run the test suite?", AnswerType.CODE),
        # What is written into a file or typed is asked for as "what do I add".
        ("What do I add to Local/Makefile to build Exim with SOCKS5 support?", AnswerType.CODE),
        ("What should I put in my .bashrc to enable it?", AnswerType.CODE),
        ("Which exception do I get when the row changed?", AnswerType.CODE),
        ("Which error code is emitted when a client receives a masked frame?", AnswerType.CODE),
        ("What do I have to pass to the build configuration?", AnswerType.CODE),
        ("How do I download the newsgroup descriptions?", AnswerType.CODE),
        ("Who wrote mawk?", AnswerType.PERSON),
        ("Where does the name Debian come from?", AnswerType.PLACE),
        ("Why was the lower town flooded?", AnswerType.ANY),
        # A clause of condition first: what is asked comes after it.
        ("When I free a closure's memory, which address do I pass back?", AnswerType.ANY),
        ("If I run killall with no signal, how many processes get it?", AnswerType.NUMBER),
        ("When did the bridge open, if ever?", AnswerType.TIME),
    ],
)
def test_the_expected_kind_of_answer(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind


def test_a_status_code_is_answered_by_its_name_or_its_number() -> None:
    # ws's API: "Which error code is emitted when a ws client receives a masked frame?" is
    # answered by the constant heading its definition, an HTTP server's by a number.
    info = read_question("Which error code is emitted when a client receives a masked frame?")

    assert info.asks_status
    assert info.expects("WS_ERR_UNEXPECTED_MASK") == 1.0
    assert info.expects("The server answers 404.") == 1.0
    assert info.expects("A masked WebSocket frame was received by a WebSocket client.") == 0.0
    assert read_question("What exit status does grep return on a match?").asks_status
    assert not read_question("Which error messages does grep print?").asks_status


def test_an_option_is_asked_for_after_a_hyphenated_name() -> None:
    # nullmailer-inject(1): "Which nullmailer-inject flag prints the rewritten message instead of
    # queueing it?" was read as asking for anything, and its NAME line came first.
    for asked in (
        "Which nullmailer-inject flag prints the rewritten message?",
        "Which command-line option sets the number of threads?",
    ):
        info = read_question(asked)
        assert info.asks_option
        assert info.expects("-n") == 1.0


def test_a_field_line_naming_the_property_asked_for_answers() -> None:
    info = read_question("What support tier do Rust's UEFI targets have?")
    assert info.field == ("tier", "support")
    assert info.seeks_kind
    assert info.expects("Tier: 2") == 1.0
    assert info.expects("• Tier: 2") == 1.0
    # Another field, or the property said in prose, is not a field answering.
    assert info.expects("Maintainer: @dvdhrm") == 0.0
    assert info.expects("The tier of a target says what is tested.") == 0.0
    assert read_question("What is the default polling interval?").field == ()


def test_a_property_asked_after_a_preposition_is_named_by_the_answer() -> None:
    # Waitress's logging page: "TransLogger produces logs in the Apache Combined Log Format."
    # "In what format ...?" asked for no property, and "Log" read as said by "TransLogger".
    info = read_question("In what format does Paste's TransLogger record web traffic?")

    assert info.field == ("format",)
    assert info.expects("TransLogger produces logs in the Apache Combined Log Format.") == 1.0
    assert info.expects("For web traffic logging, Paste provides TransLogger middleware.") == 0.0
    # A date or a place asked for is asked as one, not as a property: "in the 11th century"
    # names no "century" by name. Nor is an origin ("from Denmark").
    assert read_question("In what year was the Python Software Foundation formed?").field == ()
    assert read_question("In which city was CNRI located?").field == ()
    assert read_question("From which countries did the Norse originate?").field == ()


def test_a_property_asked_of_something_is_the_property() -> None:
    # rkhunter's README: "Which tools of the same class does the README suggest ...?" asked
    # for no property, so "sameclass tools like Chkrootkit or OSSEC-HIDS" did not stand out.
    tools = read_question("Which tools of the same class does the rkhunter README suggest?")

    assert tools.field == ("tool",)
    assert tools.expects("Consider installing sameclass tools like Chkrootkit or OSSEC-HIDS.")
    # A kind of something asks for that something.
    assert read_question("What kind of exit status does ffprobe give?").field == (
        "status",
        "exit",
    )


def test_asked_when_something_began_a_version_that_bounds_the_old_way_answers_less() -> None:
    # mpg123(1): "Up to version 1.25.x, ..." was highlighted for "Starting with which
    # version ...?", the release it changed with standing two sentences on.
    info = read_question("Starting with which version does mpg123 return a non-zero exit code?")
    until = "Up to version 1.25.x, mpg123 always returned exit code 0 for junk on the input."

    assert info.expects(until) == 0.5
    assert info.expects("With version 1.26.0, this changed.") == 1.0
    # Asked which version it lasted to, the bound is the answer.
    assert read_question("Which mpg123 version last returned 0 for junk?").expects(until) == 1.0


def test_a_path_answers_where_in_a_program_s_documentation() -> None:
    info = read_question("Where do the C++ unit tests of Node.js live?")
    assert info.expects("The unit test should be placed in test/cctest, named test_*.") == 1.0
    assert info.expects("~/Library/Caches/pip") == 1.0
    assert info.expects("Create the empty file /etc/terminal-colors.d/foo.disable.") == 1.0
    # A slash between words is not a path.
    assert info.expects("Both TCP/IP and read/write access are tested.") == 0.0


def test_a_contracted_is_is_read_as_written_out() -> None:
    # "What's" asks what "What is" asks; the question is still shown as written.
    info = read_question("What's the default polling interval?")
    assert info.answer_type is AnswerType.NUMBER
    assert info.text == "What's the default polling interval?"
    assert read_question("Who’s the maintainer of zlib?").answer_type is AnswerType.PERSON


def test_a_quantity_is_a_surer_answer_to_how_many_than_a_bare_number() -> None:
    info = read_question("How much plastic did the robot collect?")

    assert info.expects("Heron collected 9.3 kilograms of plastic.") == 1.0
    assert info.expects("Priya Raman, 16, won on Oct. 14.") == 0.5
    assert info.expects("The robot floats.") == 0.0


def test_a_number_counting_what_is_asked_answers_how_many_surely() -> None:
    # "How many airbags does the 2020 Sentra have?": "10 airbags" answers it; the "five" of
    # "five-spoke alloy wheels" is a number of something else, and "2020" is the question's.
    info = read_question("How many airbags does the 2020 Sentra have?")

    assert info.expects("These include 10 airbags, rear door alert and more.") == 1.0
    assert info.expects("Five-spoke alloy wheels give the 2020 Sentra its look.") == 0.5
    assert (
        read_question("How many rooms does the resort have?").expects(
            "The 114-room resort is nestled in an oasis."
        )
        == 1.0
    )
    # What is counted is the word after "how much": power, not the engine's cylinders.
    power = read_question("How much power does the new Sentra engine make?")
    assert power.expects("A new four-cylinder engine replaces the old one.") == 0.5


def test_what_how_many_counts_is_the_noun_phrase_up_to_its_verb() -> None:
    # zipinfo(1): "How many compression methods ...?" counts methods ("six methods known at
    # present"), not the "four levels of reducing" of the sentence after it.
    info = read_question("How many compression methods does zipinfo know about?")

    assert info.expects("There are six methods known at present: storing, reducing.") == 1.0
    assert info.expects("In addition, there are four levels of reducing (1 through 4).") == 0.5


def test_a_full_name_answers_who_more_surely_than_a_capitalised_word() -> None:
    # "Who added the profiling output mode?": "PCAP" is capitalised but names nobody.
    info = read_question("Who added the profiling output mode to dbus-monitor?")

    assert info.expects("The profiling output mode was added by Olli Salli.") == 1.0
    assert info.expects("Copyright 2010 Grant McLean <grantm@cpan.org>") == 1.0
    assert info.expects("The PCAP mode writes a capture.") == 0.5
    assert info.expects("the profiling format is compact.") == 0.0
    for named in (
        "Written by Robert M. Love.",
        "T. Sherwood and B. Calder wrote the paper.",
        "Ported by Stefan Gössner.",
        "Thanks to @progrium for the first version.",
    ):
        assert info.expects(named) == 1.0
    # Capitalised for grammar or a heading on its own line: not a full name.
    assert info.expects("The Debian project\nIntroduction\nNote") < 1.0


def test_how_many_and_how_much_are_answered_only_by_a_number_or_a_sum() -> None:
    # "How much does a night at Nam Nghi Phu Quoc cost?" was answered by the passage on its
    # four restaurants: a price question needs a sum of money, a count a number, and the
    # question's own numbers do not count.
    price = read_question("How much does a night at the resort cost?")
    assert not price.may_be_answered_by("The resort features four dining venues and a spa.")
    assert price.may_be_answered_by("Rooms start at $250 a night.")
    assert price.may_be_answered_by("A night costs 5.2 million dong.")
    assert price.may_be_answered_by("The 148-million-euro extension adds four stops.")
    count = read_question("How many people were killed in the 2016 shooting?")
    assert not count.may_be_answered_by("The 2016 video was posted after the killings.")
    assert count.may_be_answered_by("Forty-nine people were killed.")
    assert read_question("Who founded the resort?").may_be_answered_by("It opened in May.")


def test_numbers_that_count_nothing_do_not_answer_how_many() -> None:
    # CopyQ's FAQ: "How many items does a CopyQ tab keep ...?" was answered by the numbered
    # steps of a how-to, by "Issue #349" and by "double-clicked": none says how many.
    count = read_question("How many items does a tab keep?")
    assert not count.may_be_answered_by('1. Open "Preferences".\n2. Go to "History" tab.')
    assert not count.may_be_answered_by("See also\n\nIssue #349")
    assert not count.may_be_answered_by("How to paste a double-clicked item?")
    assert count.may_be_answered_by("A tab keeps 200 items.")
    assert count.may_be_answered_by("Keep half of them.")
    assert count.may_be_answered_by("It is set to 1.5 times the size.")


def test_who_wrote_something_is_answered_only_where_someone_is_named() -> None:
    # "Who is the original author of GNU Aspell?", asked with aspell's pages, was answered by a
    # passage on its pipe protocol; one that names no one, or only a capitalised word with no
    # credit, cannot say who wrote it.
    author = read_question("Who is the original author of the pipe tool?")
    assert not author.may_be_answered_by("The pipe tool reads one line at a time.")
    assert not author.may_be_answered_by("In terse mode, Pipe prints nothing for correct words.")
    assert author.may_be_answered_by("The pipe tool was written by Kevin Atkinson.")
    assert author.may_be_answered_by("Written up by Archibald.")
    # sshuttle's usage notes name someone in an example, not who wrote it.
    assert not author.may_be_answered_by("Ask Jane Doe for the pipe tool's example host.")
    assert author.may_be_answered_by("Kevin Atkinson originally wrote the pipe tool in 1998.")
    assert author.may_be_answered_by("The pipe tool was started by Kevin Atkinson in 1998.")
    # tput(1): "The tput command was begun by Bill Joy in 1980." credits him as "started" does.
    assert author.may_be_answered_by("The pipe tool was begun by Kevin Atkinson in 1998.")
    assert author.may_be_answered_by("Kevin Atkinson began the pipe tool in 1998.")


def test_a_property_is_stated_by_its_value_or_a_list_of_its_kind() -> None:
    # lldpcli(8): the TTL asked for is given a value; the output formats are listed before
    # their word. Asked after a clause that sets the question out, the property is still read.
    ttl = read_question("With the default transmit settings, what TTL do transmitted packets get?")
    assert ttl.field == ("ttl",)
    assert ttl.expects("The default value is 4 and therefore the default TTL is 120 seconds.") == 1
    assert ttl.expects("This value is used to compute the TTL of transmitted packets.") == 0
    formats = read_question("What output formats can lldpcli print its information in?")
    assert formats.expects("Currently plain, xml, json and keyvalue formats are available.") == 1
    assert formats.expects("Choose the output format.") == 0
    assert formats.expects("Both input and output formats are chosen with -f.") == 0


def test_a_version_answers_which_release() -> None:
    info = read_question("Which libksba release fixed the buffer overflow in 2014?")

    assert info.expects("Noteworthy changes in version 1.3.2 (2014-11-25)") == 1.0
    assert info.expects("* Fixed a buffer overflow in ksba_oid_to_str. [CVE-2014-9087]") == 0.0


@pytest.mark.parametrize(
    ("term", "vocabulary", "found"),
    [
        ("primier", {"premier"}, True),  # a typo
        ("pacakag", {"packag"}, True),  # letters swapped
        ("herv", {"hervé"}, True),  # an accent left out
        ("patron", {"patronis"}, True),  # another spelling, same stem
        ("drive", {"skydriv"}, True),  # a compound written apart
        ("sed", {"set", "see"}, False),  # short words must match exactly
        ("jsoncpp", {"json"}, False),  # a name is not the start of another
        ("lyon", {"london", "marseil"}, False),
        ("libressl", {"libssl"}, False),  # two letters fewer: another name, not a typo
        ("schwarzeneger", {"schwarzenegg"}, True),  # one letter fewer, two edits
    ],
)
def test_names_match_loosely_but_not_any_near_word(
    term: str, vocabulary: set[str], found: bool
) -> None:
    assert _loosely_in(term, frozenset(vocabulary)) is found


@pytest.mark.parametrize(
    ("question", "literals"),
    [
        ("What is the long form of the -p option of time?", ("-p",)),
        ("What does the %M format specifier report?", ("%M",)),
        ("How much memory does bzip2 need with the -9 flag?", ("-9",)),
        ("What does $NF hold in awk?", ("$NF",)),
        # A word written with its "%" (ps's column) is that word, not the specifier "%C".
        ("Which kernel reports %CPU correctly for threaded apps?", ("%CPU",)),
        ("Who owned the Python 2.0 release?", ("2.0",)),
        ("Which grep option selects non-matching lines?", ()),
        ("Is the built-in format the default?", ()),
    ],
)
def test_tokens_the_index_cannot_hold_are_kept_as_written(
    question: str, literals: tuple[str, ...]
) -> None:
    assert read_question(question).literals == literals


def test_a_literal_is_found_as_written_or_as_a_definition_term() -> None:
    assert holds_literal("-p", "-p\n--portability\nUse the portable format.")
    assert holds_literal("-l", "-l, --files-with-matches\nPrint only names.")
    assert holds_literal("%M", "%K\nAverage memory.\nM\nMaximum resident set size.")
    assert holds_literal("-9", "The flags -1 through -9 set the block size.")
    assert not holds_literal("-9", "Call 555-9 now.")
    assert not holds_literal("2.0", "Version 2.0.1 and 12.0 came out.")
    assert not holds_literal("%M", "Most people use it.")
    # A capital letter's option with its value's placeholder glued on, as tabs(1) lists "-T".
    assert holds_literal("-T", "-Tname\nTell tabs which terminal type to use.")
    assert not holds_literal("-s", "-size n\nFile uses n units of space.")
    assert not holds_literal("-T", "The -Tname form is gone.")


def test_a_release_is_found_after_its_project_name_and_a_dash() -> None:
    # ppp's README heads its changes "What's new in ppp-2.4.9.": a question about ppp 2.4.9
    # was declined, "2.4.9" taken as never said there.
    assert holds_literal("2.4.9", "What's new in ppp-2.4.9.")
    assert holds_literal("1.11.0", "git clone ... -b release-1.11.0")
    # A number after a number and a dash ends a range, and is no release.
    assert not holds_literal("3.3", "• 3.1-3.3 (Python 3.1 or 3.2)")
    assert not holds_literal("-9", "Call 555-9 now.")


def test_a_question_about_who_wrote_a_piece_asks_for_its_byline() -> None:
    byline = read_question("Who wrote the CNN story on Gates defending Tillerson?")
    assert byline.asks_for_byline and byline.piece == "CNN story"
    assert read_question("Who is the author of this post?").asks_for_byline
    assert read_question("Who is the author of this post?").piece is None
    # Who wrote a book or a tool is not asked of an article's byline.
    assert not read_question("Who wrote ptargrep?").asks_for_byline
    assert not read_question("Who wrote the Debian Manifesto?").asks_for_byline


def test_a_question_about_when_a_piece_was_written_asks_for_its_dateline() -> None:
    dated = read_question("When was the CNN story on the harbour ferry published?")
    assert dated.asks_for_dateline and dated.piece == "CNN story"
    assert read_question("When was the introduction to using CVS written?").asks_for_dateline
    assert read_question("What date was this posted?").asks_for_dateline
    # When a thing was made, or what a piece tells of happened, is said in the text.
    assert not read_question("When was grep written?").asks_for_dateline
    assert not read_question("When did the post office open?").asks_for_dateline
    assert not read_question("When was this feature added?").asks_for_dateline


def test_a_release_is_held_with_or_without_its_v() -> None:
    # "Which option was added to git patch-id in Git 2.39?" was declined: the notes are titled
    # "Git v2.39 Release Notes".
    assert holds_literal("2.39", "Git v2.39 Release Notes")
    assert holds_literal("2.39", "Git 2.39")
    assert not holds_literal("2.39", "Git 12.39")
    assert not holds_literal("2.39", "build dev2.39")


def test_a_quantity_in_words_is_as_sure_as_one_in_figures() -> None:
    # Node.js's commit queue "Every five minutes" lost to a list item's number "1." (a bare
    # number) for "How often does the Commit Queue process pull requests?".
    often = read_question("How often does the Commit Queue process pull requests?")

    assert often.expects("2. Every five minutes the queue will do the following") == 1.0
    assert often.expects("Every 5 minutes the queue runs.") == 1.0
    # A numbered line's number is no number at all.
    assert often.expects("1. Collaborators will add the label to pull requests") == 0.0
    assert often.expects("Collaborators add 1 label to pull requests") == 0.5


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which compression level does gzip use when I don't give one?", True),
        ("How long do keys stay in the agent when no lifetime is set?", True),
        ("Which library paths does the agent accept unless told otherwise?", True),
        ("What is sftp's default buffer size?", True),
        ("What does mawk do with long options when MAWK_LONG_OPTIONS is unset?", True),
        ("Which port does ssh use if the Port option is not set?", True),
        ("What starting value does crcmod use when I leave out initCrc?", True),
        ("What does the function return if you omit the port?", True),
        ("What weight does a glob pattern get if the package file doesn't give one?", True),
        ("Which algorithm do the spanning tree functions use if I don't pick one?", True),
        ("How large is the scrollback buffer if I don't change it?", True),
        (
            "If I ask deluser for a backup but don't say where to put it, where does it go?",
            True,
        ),
        # What is used when nothing chosen fits.
        ("When none of the loaded certificates matches the name, which one does Hitch use?", True),
        ("If neither -T nor $TERM is set, which terminal entry does tabs use?", True),
        # Before anything is configured.
        ("Out of the box, which command does Tig run to list references?", True),
        ("Which editor does mg open out of the box?", True),
        ("What does the tool take out of the box it unpacks?", False),
        ("When none of my friends came, who paid?", False),
        ("If I run the tests but don't see any output, what is wrong?", False),
        ("What happens if the server does not respond?", False),
        ("When is the variable set?", False),
        ("How many commands does less keep in its history by default?", True),
        ("Which environment variable sets the default AWS region?", False),
        ("Where do changes to the default Rust style appear?", False),
        ("How long do keys stay in the agent?", False),
    ],
)
def test_a_question_asks_for_a_default_said_or_implied(question: str, asks: bool) -> None:
    info = read_question(question)

    assert info.asks_default is asks
    assert info.seeks_kind is (asks or info.answer_type is not AnswerType.ANY)
    if asks and "default" not in question:
        # Implied: asked as if said, and framing the question as "many" does.
        assert "default" in info.asked and "default" in info.framing


def test_a_sentence_states_a_default_only_when_it_says_what_it_is() -> None:
    for stated in (
        "Without this option the default maximum lifetime is forever.",
        "The default compression level is -6.",
        "If =# is not present, it defaults to 1.",
        "By default 64 requests may be active concurrently.",
        "This is the default if SHELL does not look like a csh.",
        "Default - 10",
        "The timeout in seconds (default: 5).",
        "If no time unit is specified, assumes seconds.",
        "The AWS Config File, which has a default location of ~/.aws/config.",
        # A change of default says the new one.
        "Changed the default minimum TLS version to TLS 1.2 (previously was TLS 1.0).",
        "Raised the default timeout from 5 to 10 seconds.",
        "Place the backup files in dir (defaulting to the current working directory).",
        "If nothing is specified, Kruskal's algorithm is used.",
        "The last PEM file provided will serve as the default if none of them matched.",
        # A label and its value, and a table's row of them (ZeroMQ's pages).
        "Default value: true",
        "Default value | 1023",
    ):
        assert states_default(stated), stated
    for not_stated in (
        "Set a default value for the maximum lifetime of identities added to the agent.",
        "The lifetime may be specified in seconds.",
        "Changed the default output format to match the new layout.",
    ):
        assert not states_default(not_stated), not_stated
    implied = read_question("How long do keys stay in the agent when no lifetime is set?")
    assert implied.expects("Without this option the default maximum lifetime is forever.") == 1.0


def test_a_name_made_from_the_property_s_word_names_one_of_it() -> None:
    # Boehm GC: "On Linux, the collector currently uses SIGPWR and SIGXCPU by default."
    signals = read_question("On Linux, which signals does the collector reserve for threads?")
    assert signals.expects("On Linux, the collector currently uses SIGPWR and SIGXCPU.") == 1.0
    assert signals.expects("The collector needs one or two other signals on most platforms.") == 0
    # The question's own name is not an answer; a one-letter start says nothing ("ENOENT").
    assert read_question("What does SIGHUP do to the signal handler?").expects("SIGHUP.") == 0
    assert read_question("Which error does open return?").expects("It returns ENOENT.") < 1.0


def test_short_for_frames_a_question_about_a_name_and_is_not_asked() -> None:
    # LZO's "Short documentation" heading made its first section quote 1 for "What is LZO
    # short for?", over "The acronym LZO is standing for Lempel-Ziv-Oberhumer."
    short = read_question("What is LZO short for?")
    assert short.asked == frozenset({"lzo"}) and "short" in short.framing
    assert short.expects("The acronym LZO is standing for Lempel-Ziv-Oberhumer.") == 1.0
    assert "short" in read_question("How do I print a short summary?").asked


def test_a_kind_word_is_a_subject_unless_it_names_the_kind_of_a_typed_token() -> None:
    assert read_question("What does the %M format specifier report?").subject_words == ()
    assert "keyword" in read_question("Which keyword does Rust reserve for blocks?").subject_words


def test_a_line_s_first_word_and_words_in_capitals_name_no_one() -> None:
    # bzip2's manual: "Who is the author of bzip2?" ranked its licence's "THIS SOFTWARE IS
    # PROVIDED BY THE AUTHOR ..." and a paragraph opening "Altered source versions ..." as
    # naming someone, above "Copyright © 1996-2019 Julian Seward".
    who = read_question("Who is the author of bzip2?")

    assert who.expects('THIS SOFTWARE IS PROVIDED BY THE AUTHOR "AS IS".') == 0.0
    assert who.expects("The origin must be kept.\n\nAltered versions must be marked.") == 0.0
    assert who.expects("Copyright 1996-2019 Julian Seward") == 1.0
    assert who.expects("The library was sold to IBM in 1990.") == 0.5


def test_a_price_is_surely_a_sum_of_money_and_a_hyphenated_quantity_is_one() -> None:
    # The sample tram article: "How much will the tram extension cost?" highlighted "... extend
    # the Harbour Line tram by 3.4 kilometres ..." (a quantity) over "The 148-million-euro
    # extension will add four stops" (read as a bare number, the hyphens hiding its unit).
    price = read_question("How much will the tram extension cost?")
    count = read_question("How many passengers will the tram carry?")

    assert price.expects("The 148-million-euro extension will add four stops.") == 1.0
    assert price.expects("It extends the tram line by 3.4 kilometres.") == 0.5
    assert count.expects("It will carry 11,000 passengers a day.") == 1.0
    assert count.expects("A 10-year contract was signed.") == 1.0


@pytest.mark.parametrize(
    ("question", "measure", "kept"),
    [
        ("How much did the tram extension cost?", "much", {"tram", "cost"}),
        ("How many stops will the extension add?", "many", {"stop", "add"}),
    ],
)
def test_the_quantifier_how_asks_with_is_not_an_asked_word(
    question: str, measure: str, kept: set[str]
) -> None:
    # The answer is a quantity; a sentence saying "much" ("would have cost a third as much")
    # is no likelier to hold it.
    asked = read_question(question).asked

    assert not set(terms(measure)) & asked
    assert {t for word in kept for t in terms(word)} <= asked


@pytest.mark.parametrize(
    ("question", "word"),
    [
        # An adjective of measure is said with the answer: "3.4 kilometres long".
        ("How long is the tram extension?", "long"),
        ("How old is the maritime museum?", "old"),
        ("How Docker builds images?", "docker"),
    ],
)
def test_a_word_after_how_that_is_no_quantifier_stays_asked(question: str, word: str) -> None:
    assert set(terms(word)) <= read_question(question).asked


@pytest.mark.parametrize(
    ("sentence", "credits"),
    [
        ("Written by Ian A. Murdock Revised 01/06/94", True),
        ("Copyright © 1996-2019 Julian Seward", True),
        ("Author: Mike Brennan", True),
        ("Rather than being developed by one isolated individual, Debian is open.", False),
        ("Debian Linux is a brand-new kind of Linux distribution.", False),
    ],
)
def test_a_sentence_credits_someone_with_a_work_when_it_says_so(
    sentence: str, credits: bool
) -> None:
    info = read_question("Who wrote the Debian Linux Manifesto?")

    assert info.asks_authorship
    assert bool(info.credited(sentence)) is credits
    assert not read_question("Who scored the winning header?").credited(sentence)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("What does pinning a package version mean in pip requirements files?", "pinning"),
        ("What does FFI stand for?", "FFI"),
        ("What is 'MD' short for in the name of the md software RAID driver?", "MD"),
        ("What is GNU an acronym of?", "GNU"),
        ("What does the NR variable contain in mawk?", None),
    ],
)
def test_a_question_asking_what_a_term_means_names_the_term(
    question: str, term: str | None
) -> None:
    info = read_question(question)

    assert (set(terms(term)) <= info.defines) if term else not info.defines
    assert info.seeks_kind is bool(term) or info.answer_type is not AnswerType.ANY


def test_the_sentence_saying_what_the_term_means_answers() -> None:
    info = read_question("What does pinning a package version mean?")

    assert info.expects("Pinning refers to using the == operator to pin a version.") == 1.0
    # The term must be what the sentence defines, not some other word.
    assert info.expects("This means the build is repeatable.") == 0.0
    assert info.expects("Pinned versions can be generated using pip freeze.") == 0.0


def test_a_name_beside_the_property_asked_for_holds_the_answer() -> None:
    # X11 DPMS: "What error do I get ...?" is answered by "a BadMatch error"; the sentence in
    # more of the question's words ("forces a specific DPMS level") names no error.
    info = read_question(
        "What error do I get if I force a monitor power level while DPMS is switched off?"
    )

    assert info.expects("If DPMS is disabled, a BadMatch error is generated.") == 1.0
    assert info.expects("This request forces a specific DPMS level on the server.") == 0.0
    # A name the question says itself is not the answer.
    assert info.expects("The DPMS error is logged.") == 0.0
    generator = read_question("Which CPack generator was dropped in CMake 3.24?")
    assert generator.expects("The deprecated PackageMaker Generator was removed.") == 1.0
    # Examples given after it name it in any case: the regex crate "lacks a few features like
    # look around and backreferences"; "the SIMD features" alone had won quote 1.
    features = read_question("Which Perl regex features are missing from Rust's regex crate?")
    assert features.expects("It lacks a few features like look around and backreferences.") == 1.0
    assert features.expects("Some features such as lazy DFAs are slow.") == 1.0
    assert features.expects("The features are listed below.") == 0.0


def test_how_often_is_answered_by_a_frequency_in_words() -> None:
    # killall(1): "killall checks once per second ..." holds no figure, and "how often" was
    # declined as a "how many" with no number in the passage.
    info = read_question("When waiting with -w, how often does killall look whether they are gone?")

    assert info.may_be_answered_by("killall checks once per second if any still exist.")
    assert info.expects("The cache is cleaned nightly.") == 1.0
    # "Once" alone is a conjunction as often as a frequency.
    assert info.expects("Once the signal is sent, killall returns.") == 0.0


def test_which_option_is_answered_by_an_option_as_typed() -> None:
    # OpenSSL's certificates HOWTO: "Now, cert.csr can be sent ..." was taken for the option
    # (a file name is typed too); the option is the next sentence's quoted "-outform".
    info = read_question(
        "My certificate authority won't take a signing request in PEM. "
        "Which option lets me write it in another format?"
    )

    assert info.expects("If not, use the extra argument '-outform' followed by the format.") == 1
    assert info.expects("Now, cert.csr can be sent to the certificate authority.") == 0.5
    assert info.expects("They can handle files in PEM format.") == 0.0
    # A command asked for still takes anything typed.
    command = read_question("Which command sends the request?")
    assert command.expects("Now, cert.csr can be sent to the certificate authority.") == 1.0


def test_what_is_the_name_of_is_answered_by_a_sentence_giving_a_name() -> None:
    # OpenSSL's certificates HOWTO: "By default the file is named openssl.cnf" answers, not
    # the sentence about "the standard configuration file" in more of the question's words.
    info = read_question(
        "What is the name of the configuration file openssl uses unless I point it at another one?"
    )

    assert info.asks_name
    assert info.expects("By default the file is named openssl.cnf and is described online.") == 1
    assert info.expects("The standard configuration file, as compiled in, will be used.") == 0.0
    assert read_question("What is the default editor called?").asks_name
    assert not read_question("What is the configuration file used for?").asks_name
    # Not a kind by which passages are ranked: texts name many things.
    assert not info.seeks_kind


def test_a_digit_inside_a_name_is_not_a_number() -> None:
    # gdk-pixbuf's README: "A C99-compliant compiler" let a list of requirements pass for the
    # number "What is the minimum version of Meson ...?" asks for.
    info = read_question("What is the minimum version of Meson required to build GdkPixbuf?")

    assert not info.may_be_answered_by("You will need:\n\n• Meson\n• A C99-compliant compiler")
    assert not info.may_be_answered_by("It runs on x86 and RFC2119 words apply.")
    # pg_restore(1) answered "How old a PostgreSQL server can this pg_dump still dump from?"
    # with pg_dump left out: "an archive created by pg_dump(1)" holds no number.
    old = read_question("How old a PostgreSQL server can this pg_dump still dump from?")
    assert not old.may_be_answered_by("It restores an archive created by pg_dump(1).")
    assert old.may_be_answered_by("It dumps servers back to version 9.2 (see (1) below).")
    assert info.may_be_answered_by("Meson 0.55 or later is needed.")
    assert info.may_be_answered_by("It needs at least version 1 of Meson.")


def test_a_lone_lowercase_letter_is_a_code_written_as_is() -> None:
    # fuser(1) marks access with letters ("m  mmap'ed file or shared library"): English has no
    # one-letter lowercase word but "a", so "an m" is the code asked about, and a possessive's
    # "s" or an abbreviation's letters are not.
    info = read_question("What does an m after a PID mean in fuser's output?")

    assert info.code_literals == ("m",)
    assert read_question("How do I list a file's size, e.g. in bytes?").code_literals == ()
    assert holds_literal("m", "r\nroot directory.\n\nm\nmmap'ed file or shared library.")
    assert not holds_literal("m", "fuser -m /dev/sgX shows every process.")


def _shouted_by_character(sentence: str) -> bool:
    letters = [ch for ch in sentence if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) * 2 > len(letters)


def test_shouted_counts_letters_and_capitals_as_the_character_loop_does() -> None:
    rng = random.Random(7)
    alphabet = "aZ Q7_-.,!éÉßΣσ\tĳ²ⅣabcXYZ"
    samples = ["", "   ", "123", "THIS SOFTWARE IS PROVIDED", "Written by Ian A. Murdock"]
    samples += ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(3_000)]
    samples += ["".join(rng.choices("AbC d1.", k=rng.randint(0, 40))) for _ in range(3_000)]
    for sample in samples:
        assert question._shouted(sample) == _shouted_by_character(sample), sample


def test_the_odds_of_something_are_asked_as_a_number() -> None:
    # unzip(1): "What are the odds that a wrong password still gets past the header check?"
    # is answered by "a 1-in-256 chance", not by the sentence on prompting for another password.
    question = "What are the odds that a wrong password still gets past unzip's header check?"
    info = read_question(question)

    assert answer_type(question) is AnswerType.NUMBER
    assert info.expects("There is a 1-in-256 chance that an incorrect password will as well.") > 0
    assert info.expects("If the first password fails the header check, unzip prompts again.") == 0


def _names_instance_stemming_each_token(info: question.QuestionInfo, sentence: str) -> bool:
    """``QuestionInfo._names_instance`` as it was, each token stemmed anew."""
    tokens = question._TOKEN.findall(sentence)
    own = info.text.lower()
    for index, token in enumerate(tokens):
        if terms(token) != [info.field[0]]:
            continue
        for near in (index - 1, index + 1):
            if 0 <= near < len(tokens):
                name = tokens[near]
                named = question.is_typed(name) or (near > 0 and name[:1].isupper())
                if named and name.lower() not in own:
                    return True
    return False


def test_a_tokens_sole_term_is_what_terms_gives_it() -> None:
    tokens = ["", "the", "errors", "Errors", "error's", "ssh-keygen", "a.b", "x", "1.2.3", "Σσ"]
    tokens += ["BadMatch", "generator", "classes", "don't", "über-class", "it", "in_place"]
    rng = random.Random(11)
    alphabet = "abcdeErSs '-._1éΣ"
    tokens += ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(3_000)]
    for token in tokens:
        found = terms(token)
        assert question._sole_term(token) == (found[0] if len(found) == 1 else None), token


def test_a_name_beside_the_property_is_found_as_when_each_token_was_stemmed() -> None:
    questions = [
        "What error do I get if I force a monitor power level while DPMS is switched off?",
        "Which CPack generator was dropped in CMake 3.24?",
        "Which exit status does grep return when no line matches?",
    ]
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE_ARTICLES.iterdir())]
    sentences = [line for text in texts for line in text.splitlines() if line.strip()]
    sentences += [
        "If DPMS is disabled, a BadMatch error is generated.",
        "The deprecated PackageMaker Generator was removed.",
        "the Message class, the parser Class and a classes list",
        "ERRORS: an EINVAL error, errors of X11",
        "grep exits with status EXIT_FAILURE; the Exit status 2 means an error.",
    ]
    for asked in questions:
        info = read_question(asked)
        assert info.field, asked
        for sentence in sentences:
            expected = _names_instance_stemming_each_token(info, sentence)
            assert info._names_instance(sentence) == expected, (asked, sentence)


def test_a_sentence_credits_its_maker_with_a_few_words_between() -> None:
    # Python's licence: "Who created Python?" weighed "Python was created in the early 1990s by
    # Guido van Rossum" as naming someone, not as saying who made Python.
    who = read_question("Who created Python?")
    credit = "Python was created in the early 1990s by Guido van Rossum at CWI."

    assert states_authorship(credit)
    assert who.expects(credit) == 1.0
    assert states_authorship("Copyright 2004-2007 Lennart Poettering")
    # librsvg's README: "Who maintains librsvg?" put "... while still maintaining the existing
    # API of librsvg" above the sentence that names its maintainer.
    assert states_authorship("The maintainer of librsvg is Federico Mena Quintero.")
    assert not states_authorship("The maintainer is responsible for releases.")
    assert not states_authorship("It was developed and tested on Debian by hand.")
    assert not states_authorship("Python was created to be read easily.")
    # doctest's FAQ: "Who created the Catch test framework ...?" was declined, its answer
    # crediting Phil Nash in apposition.
    appositive = "Check out the answer Phil Nash gives here (the creator of Catch)."
    assert states_authorship(appositive)
    assert read_question("Who created the Catch test framework?").may_be_answered_by(appositive)
    assert states_authorship("Remy Card, the original author of tune2fs, wrote it.")
    # Exim's manual names no one: "The author of Exim regards mass-mailing as an abuse."
    assert not states_authorship("The author of Exim regards mass-mailing as an abuse.")


def test_a_credit_naming_one_word_names_the_author_as_surely_as_a_full_name() -> None:
    # Crawl's SSH guide is "Written up by Archibald": a handle, one capitalised word, weighed
    # 0.5 beside the game's full name "Crawl Stone Soup" (0.75) in the opening's sentence.
    who = read_question("Who wrote the Crawl guide to playing online with SSH?")

    assert who.expects("Written up by Archibald, with modifications by Butch.") == 1.0
    assert who.expects("You have been playing Crawl Stone Soup offline.") == 0.75
    assert who.expects("It was tested on Debian.") == 0.5


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Why did nss-mdns 0.9 make Avahi mandatory?", True),
        ("How come the ferry is late?", True),
        ("I raised opt-level for nalgebra only, yet my code is no faster. Why?", True),
        ("Who knows why the ferry is late?", False),
        ("What is the default port?", False),
    ],
)
def test_a_question_asks_for_a_cause(question: str, asks: bool) -> None:
    assert read_question(question).asks_reason is asks


@pytest.mark.parametrize(
    ("asked", "situation"),
    [
        (
            "If a maintainer script runs deluser for a user that is already gone, does it fail?",
            "maintainer script runs deluser user already gone",
        ),
        (
            "My callback gets an err as its first argument; what should a test wrap it with?",
            "my callback gets err its first argument",
        ),
        (
            "Now that oauth2client is deprecated, what should I switch to?",
            "now oauth2client deprecated",
        ),
        ("When I free a closure, which address do I pass back?", "free closure"),
        ("My CA won't take PEM. which option writes another format?", "my ca won take pem"),
        ("What is the default port?", ""),
        ("When was pip 1.0 released?", ""),
        ("Which option of ssh-add, e.g. -D, deletes keys?", ""),
    ],
)
def test_the_situation_a_question_sets_out_is_told_from_what_it_asks(
    asked: str, situation: str
) -> None:
    assert read_question(asked).situation == frozenset(terms(situation))


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("How do I stop a container build from hanging?", True),
        ("I upgraded Podman but the bug shows up. What else has to be upgraded?", True),
        ("How can I fix the permission error?", True),
        ("How to avoid the lastlog file?", True),
        ("Why does the build hang?", False),
        ("What does the build print when it hangs?", False),
        ("How many users can log in?", False),
    ],
)
def test_a_question_asks_for_a_remedy(question: str, asks: bool) -> None:
    assert read_question(question).asks_remedy is asks


@pytest.mark.parametrize(
    ("asked", "premise"),
    [
        (
            "My callback gets an err as its first argument; what should a test wrap it with?",
            "my callback gets err its first argument",
        ),
        (
            "Now that oauth2client is deprecated, what should I switch to?",
            "now oauth2client deprecated",
        ),
        ("Since the build hangs, what should I change?", "since build hangs"),
        ("When several rules match a command, which one decides the outcome?", ""),
        ("If a maintainer script runs deluser for a gone user, does it fail?", ""),
    ],
)
def test_a_premise_the_question_states_is_told_from_a_condition_it_sets(
    asked: str, premise: str
) -> None:
    assert read_question(asked).premise == frozenset(terms(premise))


@pytest.mark.parametrize(
    ("asked", "limit"),
    [
        ("What is the most scrollback history Zutty will let me keep?", True),
        ("How long can a passphrase hashed with bcrypt be?", True),
        # aide.conf(5): "The maximum depth of nested includes is 16."
        ("How deeply can @@include statements be nested in aide.conf?", True),
        ("How many files can tar hold at most?", True),
        ("What is the minimum version of Meson required?", True),
        ("What is the largest city of the region?", False),
        # The superlative of what may be set or done is a limit.
        ("What is the shortest PollInterval vnstatd accepts?", True),
        ("What is the longest message I can encrypt with a 512-bit RSA key?", True),
        ("What is the largest correction I can set for a time sensor?", True),
        ("What is the largest city in France?", False),
        ("Who has the highest score of the season?", False),
        ("Who is the most famous author?", False),
        ("What is the most common error?", False),
        ("How many bytes per line does xxd print?", False),
        # The oldest release a thing works with is the least it needs (Rayon's README:
        # "Rayon currently requires rustc 1.56.0 or greater.").
        ("What is the oldest compiler version Rayon works with?", True),
        ("What is the earliest Python release pip runs on?", True),
        ("What is the oldest building in the town?", False),
    ],
)
def test_a_question_asks_for_a_limit(asked: str, limit: bool) -> None:
    assert read_question(asked).asks_limit is limit


def test_how_can_i_tell_that_asks_for_a_sign_not_something_typed() -> None:
    # inotifywait(1): "How can I tell from inotifywait's output that the watched file is a
    # directory?" is answered by "If the file is a directory, a trailing slash is output.",
    # not by an option; "How do I tell git to ...?" still asks for one.
    knowing = "How can I tell from inotifywait's output that the watched file is a directory?"
    assert answer_type(knowing) is AnswerType.ANY
    assert answer_type("How can I tell whether it is running?") is AnswerType.ANY
    assert answer_type("How do I tell git to ignore a file?") is AnswerType.CODE


def test_a_repeated_flag_counts_how_much() -> None:
    # fdm(1): "How much verbosity do I need for fdm to copy all traffic ... to stdout?" was
    # declined: "-vvvv duplicates all traffic to and from remote servers to stdout" holds no
    # number.
    info = read_question("How much verbosity do I need for fdm to copy all traffic to stdout?")
    assert info.may_be_answered_by("-vvvv duplicates all traffic to and from remote servers.")
    assert not info.may_be_answered_by("-v Request verbose logging.")
    assert not info.may_be_answered_by("Use -vx to trace it.")
    # It counts no things: fdm.conf(5)'s "How many named actions can fdm call ...?" was answered
    # by fdm(1)'s options with fdm.conf(5) left out.
    many = read_question("How many named actions can fdm call one after another in a chain?")
    assert not many.may_be_answered_by("-vvvv duplicates all traffic to and from remote servers.")


def test_a_least_release_is_stated_by_or_greater() -> None:
    assert states_limit("Rayon currently requires rustc 1.56.0 or greater.")
    assert states_limit("It needs Python 3.8 or later.")
    assert not states_limit("Rayon is greater than the sum of its parts.")


def test_a_number_spelled_as_a_value_is_looked_for_in_digits() -> None:
    # rpc_clnt_create(3t): "What happens if I set a client's timeout to zero with
    # clnt_control()?" is answered by "If you set the timeout value to 0, clnt_control()
    # immediately returns an error (RPC_TIMEDOUT)."
    zero = read_question("What happens if I set a client's timeout to zero with clnt_control()?")
    assert zero.numbers == ("0",)
    assert read_question("What if I set the retries to five?").numbers == ("5",)
    assert read_question("What happens with more than three peers?").numbers == ("3",)
    # A count of what is asked for is no value to find ("Who were the two abbots at Fécamp
    # Abbey?"), nor "one" a number, nor the "zero" of a compound.
    assert read_question("Who were the two abbots at Fécamp Abbey?").numbers == ()
    assert read_question("Which one of the options is zero-copy?").numbers == ()


def test_a_sentence_stating_a_limit_holds_the_kind_of_answer_asked() -> None:
    info = read_question("What is the most scrollback history Zutty will let me keep?")

    assert info.expects("The maximum allowed value is 50,000.") == 1.0
    assert info.expects("Passphrases of up to 72 characters are hashed.") == 1.0
    assert info.expects("The default value is 500 lines.") == 0.0


def test_a_unit_asked_for_is_held_by_a_sentence_naming_one() -> None:
    info = read_question("In what unit does the prober give the round-trip time of a reply?")

    assert info.asks_unit
    assert info.seeks_kind
    assert info.expects("The time is provided as an integral number of microseconds elapsed.")
    assert not info.expects("The time which passed between the probe and its response.")
    assert not read_question("What does the prober give for a reply?").asks_unit


@pytest.mark.parametrize(
    ("asked", "price"),
    [
        ("How much extra memory does inode_count_fullmap cost on a 40 TB file system?", False),
        ("How much time does the check cost?", False),
        ("How much does a night at the resort cost?", True),
        ("How many euros does the ticket cost?", True),
        ("What does the ticket cost?", True),
    ],
)
def test_a_cost_in_something_measured_is_no_price(asked: str, price: bool) -> None:
    assert read_question(asked).asks_price is price


def _finds_reading_all(info: question.QuestionInfo, pattern: re.Pattern[str], text: str) -> bool:
    """``_finds`` as it was: every answer in the text read, then one the question does not say
    looked for."""
    own = info.text.lower()
    return any(m.group(0).lower() not in own for m in pattern.finditer(text))


def test_a_text_is_read_only_up_to_the_first_answer_the_question_does_not_say() -> None:
    text = "Ada Lovelace met Charles Babbage in London; later Mary Somerville joined them."
    who = read_question("Who did Ada Lovelace meet?")
    assert who.answer_type is AnswerType.PERSON
    question._ANSWERS.pop((question._PERSON_NAME, text), None)
    assert who.expects(text) == 1.0
    # "Ada Lovelace" is the question's own; "Charles Babbage" answers: nothing after is read.
    assert question._ANSWERS[(question._PERSON_NAME, text)] == (
        ("ada lovelace", "charles babbage"),
        False,
    )
    # Another question that says both reads on from the start, to the end if it must.
    both = read_question("Who did Ada Lovelace and Charles Babbage meet?")
    assert both.expects(text) == 1.0
    everyone = read_question("Did Ada Lovelace, Charles Babbage and Mary Somerville meet?")
    assert not everyone._finds(question._PERSON_NAME, text)
    assert question._ANSWERS[(question._PERSON_NAME, text)] == (
        ("ada lovelace", "charles babbage", "mary somerville"),
        True,
    )


def test_what_a_text_was_read_for_gives_every_question_the_answer_of_a_whole_reading() -> None:
    rng = random.Random(7)
    names = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Alan Turing", "Grace Hopper"]
    patterns = [question._PERSON_NAME, question._CAPITALISED, question._NUMBER_ANSWER]
    texts = [
        " ".join(rng.choice([*names, "the", "met", "in 1843", "twice", "and"]) for _ in range(12))
        for _ in range(40)
    ]
    asked = [
        read_question(f"Who did {' and '.join(rng.sample(names, rng.randint(0, 4)))} meet?")
        for _ in range(30)
    ]
    for text in texts:
        for pattern in patterns:
            question._ANSWERS.pop((pattern, text), None)
    for info in asked:  # every question over texts the others read, fully or in part
        for text in texts:
            for pattern in patterns:
                assert info._finds(pattern, text) == _finds_reading_all(info, pattern, text)


def test_how_many_units_of_a_measure_is_answered_only_where_the_measure_is_said() -> None:
    # "How many seconds must a program stay up before supervisord considers it started?" was
    # answered by Supervisor's web interface passage, whose only number is a port.
    seconds = read_question("How many seconds must a program stay up before it counts as started?")
    assert not seconds.may_be_answered_by("Visit http://localhost:9001/ to view the status.")
    assert seconds.may_be_answered_by("The number of seconds it must stay running. Default: 1")
    assert seconds.may_be_answered_by("It must run for 10s first.")
    assert seconds.may_be_answered_by("It must run for two minutes first; 3 restarts are allowed.")
    data = read_question("How many bytes does the log hold before it is rotated?")
    assert not data.may_be_answered_by("The log is rotated 10 times a day.")
    assert data.may_be_answered_by("The log is rotated at 50MB by default.")
    # Years and things are counted as before: a date says its years without the word.
    assert read_question("How many years did the war last?").may_be_answered_by(
        "The war lasted from 1990 to 1995."
    )


def test_in_what_year_asks_for_a_date_not_for_the_word() -> None:
    # tput(1)'s history: "Who started the tput command, and in what year?" highlighted "SVr3
    # replaced that, a year later, by ... written by Eric Allman." over "The tput command was
    # begun by Bill Joy in 1980.": its "year" is not the date asked for.
    info = read_question("Who started the tput command, and in what year?")
    assert info.asked == frozenset({"start", "tput", "command"})
    assert "month" not in read_question("In which month does the fair open?").asked
    # Counted, the unit is said with the number ("for 5 years"): it stays asked.
    assert "year" in read_question("How many years did the war last?").asked


def test_a_name_in_the_style_of_another_is_that_name() -> None:
    # "a Pandoc-style header": mkd-extensions(7) says "a 3-line Pandoc header".
    info = read_question("Which function returns the author given in a Pandoc-style header?")
    assert frozenset({"pandoc"}) in info.subjects
    assert frozenset({"pandoc", "style"}) not in info.subjects
    assert frozenset({"url"}) in read_question("Which flag gives URL-like encoding?").subjects


def test_what_is_asked_is_read_after_what_the_question_sets_out_first() -> None:
    # "With CMake, how do I build ...?" asks for something typed, as "How do I build ...?" does;
    # so does a question whose situation is a clause of its own before a semicolon.
    assert answer_type("With CMake, how do I build just GoogleTest?") is AnswerType.CODE
    assert answer_type("On Windows, how do I install it?") is AnswerType.CODE
    assert (
        answer_type("Another library defines a TEST macro; how do I make GoogleTest stop?")
        is AnswerType.CODE
    )
    assert answer_type("I run it in Docker. When was it released?") is AnswerType.TIME
    assert answer_type("With a grant of 2 million, who built the bridge?") is AnswerType.PERSON


def test_a_default_is_stated_by_what_happens_when_nothing_is_given() -> None:
    # fido2-cred(1): "What credential type does fido2-cred use when I don't name one?"
    assert states_default("If type is not specified, es256 is assumed.")
    assert states_default("When the port is omitted, 22 is used.")
    assert states_default("If omitted, the current directory is searched.")
    assert not states_default("If a PIN is required and -q is specified, fido2-cred will fail.")


def test_a_default_named_with_a_path_among_its_words_is_stated() -> None:
    # dbclient(1): "Where does dbclient look for my private key if I don't pass an identity
    # file?" is answered by "The default path ~/.ssh/id_dropbear is used", whose path stood
    # between "the default" and "is" where only words were read.
    assert states_default("The default path ~/.ssh/id_dropbear is used")
    assert states_default("The default $HOME/.config file is read first.")
    # A sentence ending after "the default" says no default.
    assert not states_default("Use the default. It is fine.")
    assert not states_default("Keep the default ~/.ssh. It is read.")


def test_a_key_pressed_is_the_answer_to_which_key() -> None:
    # ELinks' bookmarks guide: "You launch the bookmark manager by pressing the 's' key".
    info = read_question("Which key opens the bookmark manager in ELinks?")
    assert info.expects("You launch the bookmark manager by pressing the 's' key.")
    assert info.expects("This can be done with the Insert key.")
    assert info.expects("Press Ctrl-C to stop it.")
    assert not info.expects("It's a dog's life in the bookmark manager.")
    assert not info.expects("The managers use list boxes.")


def test_how_a_thing_is_done_and_what_it_is_made_to_do_are_no_subjects() -> None:
    # Kyua's NEWS says "in parallel" where the question says "concurrently", dh-python's
    # README "--shebang" where it says "rewrite": said in other words as easily as an action,
    # they declined questions the articles answer.
    assert rare_words("How can I get kyua test to run test cases concurrently?") == ["kyua"]
    assert "rewrite" not in rare_words("How do I make dh_python3 rewrite script shebangs?")
    assert "shebang" in rare_words("How do I make the shebang point to python3?")
    assert "anomaly" in rare_words("Does the report list each anomaly?")  # a noun, no adverb


def test_an_action_a_question_sets_its_scene_with_is_no_subject() -> None:
    # bgpd(8) says "All paths with errors or loops are not eligible" where the question says
    # "After discarding invalid paths": the step is said in other words.
    question = (
        "After discarding invalid paths, which attribute does bgpd compare first when "
        "choosing the best route?"
    )
    assert "discarding" not in rare_words(question)
    assert "bgpd" in rare_words(question)
    assert "discarding" in rare_words("Is discarding of stale routes logged?")


def test_the_kind_of_document_the_answer_is_in_is_no_subject() -> None:
    # socat's "Securing Traffic Between two Socat Instances Using SSL" never calls itself a
    # walkthrough: the question was declined over the passage answering it.
    assert rare_words(
        "For how many days is the certificate in the socat SSL walkthrough valid?"
    ) == ["socat", "ssl"]


def test_a_british_doubled_l_is_read_as_its_base_word() -> None:
    # "modelled" is as rare as it looks only in its spelling: "model" is common.
    assert rare_words("Which older mail system was mblaze's design modelled on?") == ["mblaze's"]
    assert word_frequency("labelling") >= word_frequency("label") - 0.01


def test_which_file_or_device_is_answered_by_a_path_or_a_file_name() -> None:
    # fido2-cred(1): "Which device node does the manual's example create its credential on?"
    # is answered by "/dev/hidraw5" in EXAMPLES, not by the option lines "-I -c device".
    info = read_question("Which device node does the manual's example create its credential on?")
    assert info.answer_type is AnswerType.CODE
    assert info.expects("Create a new es256 credential on /dev/hidraw5, verify it.") == 1.0
    assert info.expects("-I -c device") == 0.0
    which_file = read_question("Which file in the debian directory overrides the mapping?")
    assert which_file.expects("Use debian/py3dist-overrides to override it.") == 1.0
    assert which_file.expects("Edit mkdocs.yml for it.") == 1.0
    assert which_file.expects("See e.g. the manual, version 2.0.") == 0.0


def test_which_exception_is_answered_by_a_class_name() -> None:
    info = read_question("Which exception do I get when a versioned UPDATE finds a changed row?")
    assert info.expects("If zero rows match, a .StaleDataError is raised.") == 1.0
    # Other things typed are no exception's name.
    assert info.expects("The UPDATE statement matches user.id = 1.") == 0.0


def test_a_property_given_by_its_verb_names_an_instance() -> None:
    # Kyua's NEWS: "The name of the environment variables set this way is prefixed by
    # TEST_ENV_" answers "What prefix do the environment variables get ...?".
    prefix = read_question("What prefix do the environment variables get?")
    assert prefix.expects("The variables set this way are prefixed by TEST_ENV_, as shown.")
    assert not prefix.expects("The variables set this way are listed by kyua config.")
    library = read_question("Which library is the project planning to depend on?")
    assert not library.expects("Get the installed libraries with find_package or pkg-config.")


def test_where_to_send_something_is_answered_by_an_address_or_a_list() -> None:
    # Kyua's README: "Where should I send support questions?" - "Please use the kyua-discuss
    # mailing list"; dh-python's: "REQUESTED_VERSIONS is parsed from X-Python3-Version".
    send = read_question("Where should I send support questions about Kyua?")
    assert send.expects("Please use the kyua-discuss mailing list for any support inquiries.")
    assert send.expects("Report bugs to bugs@example.org.")
    assert send.expects("Ask on https://forum.example.org/c/help instead.")
    assert not send.expects("Kyua is for developers, from the developer applying a fix.")
    taken = read_question("Where does pybuild take the list of versions from?")
    assert taken.expects("It is parsed from X-Python3-Version and Build-Depends.")
    assert not taken.expects("It goes from A to B in the cat's box.")


def test_passing_no_value_asks_for_the_default() -> None:
    # fzf-tmux(1): "(default layout: -d 50%)" answers "What layout does fzf-tmux use if I pass
    # no layout option?"
    assert read_question("What layout does fzf-tmux use if I pass no layout option?").asks_default
    assert read_question("What does it print when you give it no arguments?").asks_default
    assert not read_question("What does it do if I pass a file?").asks_default


def test_a_value_not_yet_given_or_left_unchanged_asks_for_the_default() -> None:
    # sfeed_curses(1): "What program does sfeed_curses open an item's link with if I haven't
    # configured anything?" is answered by 'By default this is "xdg-open".'; ws's API: "What
    # is the largest message ... unless I change maxPayload?" by "Defaults to 100 MiB".
    haven_t = "What program does sfeed_curses open an item's link with if I haven't configured it?"
    assert read_question(haven_t).asks_default
    assert read_question("What does it use when you have not set TERM?").asks_default
    unless = "What is the largest message a ws server accepts unless I change maxPayload?"
    assert read_question(unless).asks_default
    assert not read_question("What happens if I have not read the manual?").asks_default
    assert not read_question("What happens when I change maxPayload?").asks_default
    # The verb that leaves the value unsaid is no subject the articles must name.
    assert read_question(haven_t).subject_words == ("sfeed_curses",)
    # A noun among the words of "if no ... is given" stays one.
    assert "uidmap" in read_question("What is used if no uidmap is specified?").subject_words


def test_a_short_name_is_defined_by_the_words_its_letters_begin() -> None:
    # slrn's FAQ: "What does the name slrn stand for?" is answered by "slrn (``S-Lang read
    # news'') is a Usenet newsreader", which says no "stands for".
    info = read_question("What does the name slrn stand for?")
    assert info.expects("slrn (``S-Lang read news'') is a Usenet newsreader.") >= 1.0
    assert info.expects("slrn reads news from a server.") < 1.0
    ffi = read_question("What does FFI stand for?")
    assert ffi.expects("Rust talks to C through a Foreign Function Interface (FFI).") >= 1.0
    # The name's own letters are not words spelling it.
    assert not spells_out("ssh", "Secure Shell (ssh) Hosts")
    # Two letters are spelled by chance too often to say so.
    assert not spells_out("ws", "ws writes sockets.")


def test_how_do_i_with_an_adverb_before_the_verb_asks_for_something_typed() -> None:
    # fdm(1): "How do I only check my fdm configuration for syntax errors ...?" is answered by
    # "-n", as "How do I check ...?" is.
    assert answer_type("How do I only check my fdm configuration for syntax?") is AnswerType.CODE
    assert answer_type("How can I quickly install it?") is AnswerType.CODE


def test_a_copyright_credits_someone_only_with_a_sign_a_year_or_a_name() -> None:
    # Kyua's README: "check out the list of copyright holders" answered "Who is the original
    # author of Kyua?", as though it credited someone.
    assert states_authorship("Copyright 2004-2007 Lennart Poettering <mzvxn@0pointer.de>")
    assert states_authorship("Copyright (C) 2001 Free Software Foundation")
    assert states_authorship("COPYRIGHT: Jane Doe")
    assert not states_authorship("You can check out the list of copyright holders.")
    assert not states_authorship("Copyright and licence terms are in LICENSE.")


def test_a_limit_of_the_other_bound_is_not_the_one_asked_for() -> None:
    # fido2-token(1) says "the minimum PIN length"; "What is the maximum length of a FIDO2
    # PIN?" is not answered by it.
    longest = read_question("What is the maximum length of a FIDO2 PIN?")
    assert not longest.states_what_is_asked("Retrieve the minimum PIN length of device.")
    assert longest.states_what_is_asked("The PIN must be at most 63 bytes long.")
    assert longest.states_what_is_asked("The maximum is 63 and the minimum 4.")
    shortest = read_question("What is the shortest PollInterval vnstatd accepts?")
    assert shortest.states_what_is_asked("The minimum value is 2 seconds.")
    assert not shortest.states_what_is_asked("The maximum value is 60 seconds.")


def test_what_a_question_sets_aside_is_not_what_it_asks() -> None:
    question = read_question(
        "How can I make rclone dedupe find files with the same content rather than the same name?"
    )
    assert question.set_aside == frozenset({"name"})  # "same" is asked of the content too
    assert set_aside("Append to the output file instead of overwriting it.") == {"overwrit"}
    assert read_question("How do I dedupe files by name?").set_aside == frozenset()
