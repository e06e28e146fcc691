"""What a question asks for, read from its own words: the terms a sentence answering it would
share, the names it is about, and the kind of answer it expects (a date, a number, a person,
a place).

These are properties of the question's wording that hold for any corpus, so nothing here is
fitted to a data set: a question that names a subject ("Lyon", "pip 24", "SOME_VAR") is about
that subject, and an article that never mentions it cannot answer it.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from dataclasses import dataclass
from enum import StrEnum

from lemminflect import getAllLemmas
from wordfreq import zipf_frequency

from articleqa.headings import PATH_ON_DISK
from articleqa.lexical import question_terms, terms

# Under about three uses per million words of English ("sed", "proxy" is just above).
_RARE_ZIPF = 3.5
_INFLECTIONS = (
    ("s", ""),
    ("es", ""),
    ("ies", "y"),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
)
_VERSION = re.compile(r"(?<![\w.])\d+(?:\.\d+)+(?![\w.]*\w)")
# Tokens the index has no term for (one letter, or marked by punctuation): command options
# ("-p", "--append"), format specifiers ("%M"), shell and awk variables ("$NF"). A letter
# after "%" that goes on is a word written with its "%" ("%CPU", ps's column), not "%C".
# An option, a format specifier, a variable, or a letter standing alone: English writes no
# lowercase word of one letter but "a" (and a lazy "i"), so "an m after a PID" names a code.
_CODE_LITERAL = re.compile(
    r"(?<![\w-])(?:--?[A-Za-z0-9][\w-]*|%[A-Za-z]\w*|\$\w+)|(?<![\w'’.$%-])[b-hj-z](?![\w'’.-])"
)
_SIGILS = "-%$"
# A number standing alone: not part of a version, a decimal, a date or a word ("x86", "-9").
_WHOLE_NUMBER = re.compile(r"(?<![\w.,/:-])\d+(?![\w.,/:-]?\w)")


# Numbers a question spells as words where it gives a value, which an answer may write in
# digits ("What happens if I set the timeout to zero?": "If you set the timeout value to 0,
# ..."): "zero" anywhere, another number after a word that sets or compares a value. "Who were
# the two abbots?" counts what it asks for; the answer need not write "2". Not "one": a
# pronoun as often ("which one", "one of the options").
_SPELLED_NUMBERS = {
    "zero": "0", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip
_SPELLED_VALUE = re.compile(
    r"\b(?P<lead>(?:to|of|at|is|be|by|than|equals)\s+)?(?P<number>"
    + "|".join(_SPELLED_NUMBERS)
    + r")\b(?!-)",  # not "zero-copy"
    re.IGNORECASE,
)


def _spelled_numbers(question: str) -> list[str]:
    """The digits of the numbers ``question`` spells as words where it gives a value ("zero"
    -> "0")."""
    digits = []
    for found in _SPELLED_VALUE.finditer(question):
        number = found.group("number").lower()
        if number == "zero" or found.group("lead"):
            digits.append(_SPELLED_NUMBERS[number])
    return digits


class AnswerType(StrEnum):
    TIME = "time"
    NUMBER = "number"
    PERSON = "person"
    PLACE = "place"
    CODE = "code"  # an option, a command, a function, a setting
    VERSION = "version"  # a release: "1.6.0", "v16.9.0"
    ANY = "any"


_TOKEN = re.compile(r"[^\W_][\w.'’-]*[\w]|[^\W_]", re.UNICODE)
# Words that start a question or are capitalised for grammar, not because they name something.
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "prof"})  # capitalised before a name
_NOT_NAMES = (
    frozenset(
        (
            "a",
            "an",
            "the",
            "what",
            "which",
            "who",
            "whom",
            "whose",
            "when",
            "where",
            "why",
            "how",
            "is",
            "are",
            "was",
            "were",
            "do",
            "does",
            "did",
            "can",
            "could",
            "should",
            "would",
            "will",
            "shall",
            "may",
            "might",
            "must",
            "has",
            "have",
            "had",
            "in",
            "on",
            "at",
            "of",
            "for",
            "to",
            "from",
            "by",
            "with",
            "and",
            "or",
            "if",
            "i",
            "it",
            "its",
            "this",
            "that",
            "these",
            "those",
            "there",
            "their",
            "his",
            "her",
            "he",
            "she",
            "they",
            "we",
            "you",
            "my",
            "our",
            "name",
            "list",
            "give",
            "tell",
            "describe",
            "explain",
            "according",
        )
    )
    | _TITLES
)
_DOTTED = re.compile(r"[^\W\d_]\.[^\W\d_]")  # file and module names: pyproject.toml, yaml.load
_TIME_QUESTION = re.compile(
    r"^\s*(?:when\b|(?:in |on |by |since |until )?(?:what|which) (?:year|years|date|day|month|time|"
    r"decade|century|period|era)\b|how long ago\b)",
    re.IGNORECASE,
)
# A quantity asked for, possibly behind a few words ("What is ssh-keyscan's default connection
# timeout?"), never across "of" ("What is the name of the port ...?" asks for a name).
_NUMBER_QUESTION = re.compile(
    r"\bhow (?:many|much|long|old|far|big|large|high|tall|deep|deeply|wide|often|frequently|"
    r"fast)\b|"
    r"\b(?:what|which) (?:is the |was the |are the |is |are )?(?:(?!of )[\w'’-]+ ){0,3}"
    r"(?:number|amount|percentage|percent|population|size|cost|price|value|uid|gid|port|version|limit|rate|"
    r"speed|temperature|score|height|length|width|depth|weight|age|count|total|timeout|"
    r"interval|delay|duration|capacity|threshold|odds|chance|chances|probability|likelihood|"
    r"ratio|proportion|fraction|range)\b",
    re.IGNORECASE,
)
# The kinds of thing typed that a question asks for or about ("the %M format specifier", "which
# directive ..."): what it is, not what it is about, however rare the word.
_CODE_KINDS = (
    "option",
    "flag",
    "switch",
    "command",
    "function",
    "method",
    "variable",
    "setting",
    "parameter",
    "argument",
    "keyword",
    "directive",
    "macro",
    "constant",
    "field",
    "key",
    "operator",
    "specifier",
    "syntax",
    "invocation",
    "exception",
)
# "Which error code is emitted ...?", "What exit status does it return ...?": a code as named
# ("WS_ERR_UNEXPECTED_MASK", "EINVAL") or as a number ("404", "an exit status of 2") answers.
_STATUS_CODES = r"(?:error|status|exit|return|result|response|reply)\s+(?:codes?|status(?:es)?)"
# The kinds of thing a path names, asked for as code is ("Which file ...?").
_FILE_KINDS = (
    "device node",
    "device file",
    "file",
    "files",
    "directory",
    "directories",
    "folder",
    "folders",
    "path",
    "paths",
    "socket",
    "sockets",
)
_KIND_WORDS = frozenset((*_CODE_KINDS, *(f"{kind}s" for kind in _CODE_KINDS)))
# "Which ...", "What ..." asking for a kind of thing, up to two words before it ("which
# command-line option", "which nullmailer-inject flag": a program's name has hyphens).
_WHICH_KIND = r"\b(?:which|what)\s+(?:[\w.+-]+\s+){0,2}"


def _asks_which(kind: str) -> re.Pattern[str]:
    """A "which/what ... KIND" question (``_WHICH_KIND``), ``kind`` a pattern of its words."""
    return re.compile(_WHICH_KIND + kind + r"\b", re.IGNORECASE)


# A question opening with the kind of typed thing it asks for ("Which dav1d command-line option
# ...").
_CODE_HEAD = re.compile(
    r"\s*(?:which|what)\s+(?:[\w.+-]+\s+){0,2}(?:" + "|".join(sorted(_KIND_WORDS)) + r")\b",
    re.IGNORECASE,
)
# "Which option/command/function ...", "how do I run/install ...": answered by something typed.
_CODE_QUESTION = re.compile(
    _WHICH_KIND
    + r"(?:"
    + "|".join(
        (
            "environment variable",
            _STATUS_CODES,
            *_CODE_KINDS,
            "options",
            "flags",
            "commands",
            "functions",
            *_FILE_KINDS,
        )
    )
    + r")\b|"
    r"^\s*how (?:do|can|should|would) (?:i|you|we|one)\s+(?:only\s+|just\s+|also\s+|still\s+|"
    r"\w+ly\s+)?(?:run|install|invoke|call|set|"
    # "How do I tell git to ...?", not "How can I tell from its output that ...?" (knowing).
    r"enable|disable|configure|pin|specify|pass|use|make|"
    r"tell(?!\s+(?:from|whether|if|that|when|which|what|how|apart|the\s+difference)\b)|"
    r"turn|get|print|show|list|edit|"
    r"build|compile|test|check|verify|upgrade|remove|uninstall|download|fetch|start|stop|restart|"
    r"reload|create|generate|load|save|delete|reset|add|convert|mount|update|import|export)\b|"
    # "What do I add to Local/Makefile to ...?", "What do I have to pass to the build
    # configuration ...?": what is written into a file or typed.
    r"^\s*what (?:do|should|must|can|would) (?:i|you|we|one) (?:need to |have to )?(?:add|put|"
    r"write|type|append|insert|enter|include|define|pass|specify|supply)\b",
    re.IGNORECASE,
)
# A question that opens with a clause of condition ("When I ..., which ...?", "If ..., how ...?")
# or a phrase setting where or with what ("With CMake, how do I ...?", "On Windows, which ...?").
_CONDITION_CLAUSE = re.compile(
    r"\s*(?:when|if|once|after|before|while|with|without|using|in|on|under|inside|within|for|"
    r"from|via|through)\b[^,?]*,\s*",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"(?:what|which|who|whom|whose|where|when|how|why|is|are|was|were|does|do|did|can|could|"
    r"should|will|would)\b",
    re.IGNORECASE,
)
# "Which pinentry release ...", "In which Node.js versions ...", "What is the oldest Meson
# release ...": a release is asked for, not a number ("What version of Python ..." asks for
# Python's, and is a number question).
_VERSION_QUESTION = re.compile(
    r"^\s*(?:in |since |from |by |until |as of |with |starting with )?(?:which|what) "
    r"(?:(?:is|was|are|were) the )?(?:[\w.+-]+ ){0,2}(?:version|release)s?\b"
    # Not a word made with it: "the release date", "the release cycle" ask for something else.
    r"(?! of\b| notes?\b| dates?\b| cycles?\b| schedules?\b| process(?:es)?\b| managers?\b"
    r"| branch(?:es)?\b| polic(?:y|ies)\b| candidates?\b)",
    re.IGNORECASE,
)
# A question that asks for what happens when nothing is said ("Which level does gzip use when I
# don't give one?", "How long do keys stay when no lifetime is set?", "... unless told
# otherwise?") asks for the default, as the answer words it ("The default compression level is
# -6"), though it never says "default".
# The verbs of leaving something unsaid, after "don't", "never".
_UNSAID_VERBS = (
    "give", "specify", "set", "pass", "choose", "pick", "provide", "select", "configure",
    "supply", "name", "say", "tell", "change", "modify", "alter", "override", "touch",
)  # fmt: skip
_UNSAID = r"\s+(?:" + "|".join(_UNSAID_VERBS) + r")\b|"
# The words of a value being given ("is set", "was specified").
_GIVEN_FORMS = (
    "given", "set", "specified", "passed", "chosen", "provided", "selected", "configured",
    "supplied",
)  # fmt: skip
_GIVEN = "(?:" + "|".join(_GIVEN_FORMS) + ")"
# After "haven't": "... if I haven't configured anything?", besides ``_GIVEN_FORMS``.
_CHANGED_FORMS = ("changed", "modified", "altered", "overridden", "touched", "named", "told")
# After "unless I": "... unless I change maxPayload?".
_UNLESS_VERBS = (
    "change", "set", "override", "configure", "modify", "alter", "adjust", "specify", "raise",
    "lower", "increase", "decrease", "pass", "give", "tell",
)  # fmt: skip
# Before "no": "... if I pass no layout option?".
_NONE_GIVEN_VERBS = (
    "give", "pass", "set", "specify", "provide", "supply", "choose", "select", "use",
)  # fmt: skip
# The verbs ``_IMPLIED_DEFAULT`` reads a value left unsaid by, in every form it reads them
# ("leave", "omit" and "skip" from "... when I leave out initCrc?").
_LEAVING_VERBS = frozenset(
    (
        *_UNSAID_VERBS,
        *_GIVEN_FORMS,
        *_CHANGED_FORMS,
        *_UNLESS_VERBS,
        *_NONE_GIVEN_VERBS,
        "leave",
        "omit",
        "skip",
    )
)
_IMPLIED_DEFAULT = re.compile(
    r"\b(?:when|if|unless)\s+(?:i|you|we|one|it|they|(?:the|an?)\s+(?:[\w.$-]+\s+){0,2}?[\w.$-]+)\s+"
    r"(?:do not|don't|don’t|does not|doesn't|doesn’t|did not|didn't|didn’t|never)"
    + _UNSAID
    # "If I ask deluser for a backup but don't say where to put it, ...?"
    + r"\b(?:when|if)\s[^?]*?\bbut\s+(?:do not|don't|don’t|never)"
    + _UNSAID
    # "... if I haven't configured anything?", "when you have not set TERM?"
    + r"\b(?:when|if|unless)\s+(?:i|you|we|one|they|the user|it)\s+(?:have not|haven't|haven’t|"
    r"has not|hasn't|hasn’t)\s+(?:yet\s+|ever\s+)?(?:"
    + _GIVEN
    + "|"
    + "|".join(_CHANGED_FORMS)
    + r")\b|"
    # "... unless I change maxPayload?", "unless you override it?": the value left as it is.
    + r"\bunless\s+(?:i|you|we|one|they|the user)\s+(?:"
    + "|".join(_UNLESS_VERBS)
    + r")\b|"
    # "... when I leave out initCrc?", "if you omit the port?"
    + r"\b(?:when|if)\s+(?:i|you|we|one|they|the user)\s+(?:leave\s+out|leave\s+off|omit|skip)\b|"
    # "... if I pass no layout option?", "... when you give it no arguments?"
    r"\b(?:when|if)\s+(?:i|you|we|one|they|the user)\s+(?:"
    + "|".join(_NONE_GIVEN_VERBS)
    + r")\s+(?:it\s+|them\s+)?no\b|"
    r"\b(?:when|if)\s+(?:no|none)\s+(?:[\w.-]+\s+){0,3}(?:is|are|was|were|has been|have been)\s+"
    + _GIVEN
    + r"\b|"
    r"\bunless\s+(?:told|set|specified|configured|instructed|asked)\s+otherwise\b|"
    # "Out of the box, which command does Tig run ...?", "What does it do out of the box?":
    # before anything is configured (not "out of the box it came in").
    r"^\s*out\s+of\s+the\s+box\b|\bout\s+of\s+the\s+box\s*(?:[,?]|$)|"
    # "When none of the loaded certificates matches ...?": what is used when nothing is chosen,
    # "If neither -T nor $TERM is set, ...?"
    r"\b(?:when|if)\s+(?:none|no\s+one)\s+of\s+[^?,]*?\b(?:match(?:es|ed)?|appl(?:y|ies|ied)|"
    r"fits?|fitted)\b|"
    r"\b(?:when|if)\s+neither\s+[^?,]*?\bnor\s+[^?,]*?\b(?:is|are|was|were)\s+(?:set|given|"
    r"specified|passed|provided|configured|supplied)\b|"
    # "... when MAWK_LONG_OPTIONS is unset?", "... if the variable is not set?"
    r"\b(?:when|if)\s+(?:the\s+|an?\s+)?(?:[\w.$-]+\s+){1,3}(?:is|are)\s+(?:unset|not\s+set|"
    r"not\s+given|not\s+specified|left\s+unset|left\s+out|omitted)\b",
    re.IGNORECASE,
)
_DEFAULT = frozenset(terms("default"))
# A question that asks what the default is ("What is sftp's default buffer size?", "How many
# commands does less keep by default?"); not one that names a default as its subject ("Which
# variable sets the default region?", "Where do changes to the default style appear?").
_EXPLICIT_DEFAULT = re.compile(
    r"\bby default\b|^\s*(?:what|which)\s+(?:is|are|was|were)\s+(?:the\s+)?(?:[\w'’.-]+\s+){0,3}?"
    r"defaults?\b",
    re.IGNORECASE,
)
# Asked for a limit: "What is the most scrollback history Zutty will keep?", "How long can a
# passphrase be?", "the minimum version", "at most".
_LIMIT_QUESTION = re.compile(
    # "the most" with a noun, not with an adjective ("the most famous author", "the most
    # common error": superlatives, not limits).
    r"\bthe\s+(?:most|least|fewest)\s+(?!(?:common|likely|often|frequent|important)\b|"
    r"\w+(?:ous|ful|ble|ive|ant|ent|ar|al|ic|ed|ing|est|ly)\b)|"
    r"\bthe\s+(?:maximum|minimum|max|min)\b|\b(?:upper|lower)\s+(?:limit|bound)\b|"
    r"\bat\s+(?:most|least)\b|^\s*how\s+(?:long|big|large|many|much|high|low|far|small|short|"
    r"old|few|deep|deeply|wide)\s+(?:[\w'’@-]+\s+){0,5}?(?:can|could|may|must)\b|"
    # The superlative of what may be set or done: "What is the shortest PollInterval vnstatd
    # accepts?", "the longest message I can encrypt" (not "the largest city in France").
    # "What is the oldest compiler version Rayon works with?": the least a release may be.
    r"\bthe\s+(?:longest|shortest|largest|smallest|biggest|highest|lowest|greatest|fewest|oldest|"
    r"earliest)\s+(?:[\w'’.-]+\s+){1,5}?(?:can|could|may|will|would|accepts?|allows?|permits?|"
    r"supports?|takes?|handles?|works?|runs?|builds?|compiles?|requires?|needs?)\b",
    re.IGNORECASE,
)
# A sentence that states a limit: "The maximum allowed value is 50,000", "up to 72 characters",
# "at most 16", "no more than 8", "Maximum passphrase length", "limited to 255 bytes".
_LIMIT_STATED = re.compile(
    r"\b(?:maximum|minimum|max|min|at\s+(?:most|least)|up\s+to|no\s+(?:more|fewer|less|"
    r"longer|shorter)\s+than|not\s+(?:more|less|longer|shorter)\s+than|limit(?:ed)?\s+(?:of|to|is)|"
    r"(?:upper|lower)\s+(?:limit|bound)|cannot\s+exceed|must\s+not\s+exceed|exceeds?|"
    # "requires rustc 1.56.0 or greater", "Python 3.8 or later"
    r"or\s+(?:greater|later|newer|higher|above|more|better))\b",
    re.IGNORECASE,
)
# A sentence that states a default: "The default compression level is -6", "it defaults to 1",
# "By default 64 requests may be active", "This is the default if ...", "Default - 10".
_DEFAULT_STATED = re.compile(
    r"\bdefaults?\s+(?:to|is|are|was|of)\b"  # "defaults to 1", "the default is 64"
    r"|\bdefaulting\s+to\b"  # "(defaulting to the current working directory)"
    r"|\bdefault\s+[\w-]+\s+of\b"  # "a default location of ~/.aws/config"
    # "Changed the default minimum TLS version to TLS 1.2", "the default timeout from 5 to 10"
    r"|\bdefault(?:\s+[\w-]+){1,4}?\s+(?:to|from)\s+(?:\S+\s+)?[\w.]*\d"
    # "the default level is", "The default path ~/.ssh/id_dropbear is used" (a path or a name
    # among the words, not a word ending a sentence)
    r"|\bthe\s+default(?:\s+(?:[\w-]+|\S*[/~$]\S*[\w/])){0,4}?\s+(?:is|are|was|will be)\b"
    r"|\bby\s+default\b|\b(?:is|are|was)\s+the\s+default\b"
    # "The last PEM file provided will serve as the default", "is used as the default"
    r"|\b(?:serves?|served|act|acts|acted|used|taken)\s+as\s+(?:the\s+|a\s+)?default\b"
    # "Default - 10", "(default: 5)", a label and its value ("Default value: 1", a table's row
    # "Default value | 1023")
    r"|\bdefaults?(?:\s+[a-z]+)?\s*[-–:=|]\s*\S|\(defaults?\b"
    r"|\bdefault(?:\s+[\w-]+){0,3}\s+\(\s*[\"'“`\d]"  # 'The default prompt ("(venv)")'
    # "If no time unit is specified, assumes seconds."
    # "If nothing is specified, Kruskal's algorithm is used."
    r"|\b(?:if|when|unless)\s+(?:no|none|nothing)\b[^.;]*?\b(?:is|are)\s+" + _GIVEN + r"\b"
    # "If type is not specified, es256 is assumed.", "When the port is omitted, 22 is used."
    r"|\b(?:if|when)\s+[^.;]{0,40}?\b(?:is|are)\s+(?:not|never)\s+" + _GIVEN + r"\b"
    r"|\b(?:if|when)\s+(?:[^.;]{0,40}?\b(?:is|are)\s+)?(?:omitted|unspecified|unset|absent|left\s+out)\b",
    re.IGNORECASE,
)
# "What support tier do ...", "Which exit status does ...": the property asked for, up to three
# words between "what"/"which" and the verb (not "What is the ...").
_PROPERTY_QUESTION = re.compile(
    # After what it sets out first: "With the default settings, what TTL do packets get?"; and
    # after a preposition: "In what format does TransLogger record web traffic?". Not "from":
    # "From which countries did the Norse originate?" asks an origin, named without the
    # property's word ("from Denmark"; taken as a property, it cost SQuAD one question).
    r"^(?:[^,?;]*,\s*)?(?P<preposition>(?:in|on|at|by|to|with|for|under|into|through|via)\s+)?"
    r"(?:what|which)\s+(?!(?:is|are|was|were|do|does|did|has|have|had)\b)"
    r"(?P<property>(?:[\w-]+\s+){0,2}?[\w-]+)\s+"
    # What it is of: "Which tools of the same class does the README suggest?"
    r"(?:(?:of|for|from)\s+(?P<of>(?:[\w'’-]+\s+){1,4}?))?"
    r"(?:do|does|did|is|are|was|were|can|could|should|will|would|has|have|had)\b",
    re.IGNORECASE,
)
# Words linking a property's verb to the name it gives ("prefixed by TEST_ENV_", "suffixed with
# .orig", "named after").
_LINKING = frozenset({"by", "with", "as", "after"})
# Words that give a property its value ("the default TTL is 120 seconds").
_GIVES = frozenset({"is", "was", "are", "were", "of", "equals", "becomes"})
# Words that give examples of what they follow, and at least one word after them.
_EXAMPLES_FOLLOW = re.compile(r"(?i)(?:like|including|such as)\s+\w")
# A field line: a short label, a colon, its value ("Tier: 2", "• Exit status: 1").
_FIELD_LINE = re.compile(r"^\s*(?:[•*-]\s+)?(?P<label>[A-Za-z][\w -]{0,40}?)\s*:\s*\S")
_CONTRACTED_IS = re.compile(r"\b(what|which|who|where|when|how)['’]s\b", re.IGNORECASE)
_PERSON_QUESTION = re.compile(r"^\s*(?:who|whom|whose)\b|\bby whom\b", re.IGNORECASE)
# "Who wrote mawk?", "Who is the author of bzip2?": who made a work, a tool or a text. The
# sentence that answers says so ("Written by Ian A. Murdock", "Copyright © 1996-2019 Julian
# Seward", "Author: ..."), where another name in the text may be anyone's.
_AUTHORSHIP_QUESTION = re.compile(
    r"^\s*who\s+(?:\w+\s+)?(?:wrote|writes|authored|created|designed|developed|maintains)\b|"
    r"^\s*who\s+(?:is|was|are|were)\s+the\s+(?:\w+\s+)?(?:authors?|creators?|maintainers?)\b",
    re.IGNORECASE,
)
_AUTHORSHIP_TERMS = frozenset(
    terms(
        "wrote writes written authored author authors created creator designed designer "
        "developed developer maintains maintainer"
    )
)
# "Python was created in the early 1990s by Guido van Rossum": a few words may come between.
# "The maintainer of librsvg is Federico Mena Quintero" says it with a noun.
# "Avery Pennarun wrote sshuttle", "It was started by ..." say it in other verbs.
_AUTHORSHIP_STATED = re.compile(
    r"\b(?i:written|authored|created|designed|developed|maintained|started|begun|founded|"
    r"invented|implemented|programmed|conceived|initiated|originated)\s+(?:[\w,]+\s+){0,5}?"
    r"(?i:by)\s+(?=[A-Z@])|"
    r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}\s+(?:originally\s+)?"
    r"(?:wrote|authored|created|designed|developed|founded|invented|implemented|started|began|"
    r"initiated|originated)\b|"
    r"\b(?i:authors?|maintainers?|creators?|developers?|designers?)\s+(?i:of\s+[\w.+-]+\s+)?"
    r"(?i:is|are|was|were)\s+(?=[A-Z@])|"
    # In apposition to a name: "Phil Nash ... (the creator of Catch)", "Remy Card, the original
    # author of tune2fs"; not "The author of Exim regards ...", which names no one.
    r"(?:\(|,)\s*(?i:the|its|their)\s+(?i:original\s+)?(?i:creators?|authors?|founders?|"
    r"inventors?|designers?)\s+(?i:of)\s|"
    r"(?:^|\n)\s*(?i:by|authors?|maintainers?):?\s+(?=[A-Z@])|"
    # A copyright line: the word, then its sign, a year or a name ("the list of copyright
    # holders" credits no one).
    r"\b(?i:copyright)\b:?\s*(?=©|\((?i:c)\)|\d|[A-Z@])|©|\((?i:c)\)\s*\d|"
    # A signature under its delimiter line ("--\nRichard Levitte" ending a HOWTO).
    r"(?:^|\n)--[ \t]*\n\s*(?=[A-Z@])"
)


def states_authorship(text: str) -> bool:
    """Whether ``text`` says who wrote something: "written by ...", "Author: ...", a copyright."""
    return _AUTHORSHIP_STATED.search(text) is not None


# "Why did 0.9 make Avahi mandatory?", "Why shouldn't I use nslookup to test it?", "How
# come ...?": asked for a cause.
# "I raised opt-level for nalgebra only, yet my code is no faster. Why?" asks it last.
_REASON_QUESTION = re.compile(
    r"\s*(?:why|how\s+come)\b|.*\bwhy\s*\?\s*$", re.IGNORECASE | re.DOTALL
)
# "How do I stop the build from hanging?", "What else has to be upgraded?": a remedy is asked
# for, which a troubleshooting page gives under "Solution", apart from the symptom it names.
_REMEDY_QUESTION = re.compile(
    r"\bhow\s+(?:do|can|should|could|would)\s+(?:i|we|you|one)\b|\bhow\s+to\b|"
    r"\bwhat\b[^?]*\b(?:should|must|ought\s+to|(?:has|have|need|needs)\s+to)\b|"
    r"\b(?:fix|stop|avoid|prevent|solve|resolve|work\s*around|get\s+rid\s+of)\b",
    re.IGNORECASE,
)
# "What does pinning a package version mean?", "What does FFI stand for?", "What is MD short
# for?": the sentence that answers says what the term means ("Pinning refers to using the ==
# operator ...").
_DEFINITION_QUESTION = re.compile(
    r"^\s*what\s+(?:(?:does|do|did)\s+(?P<term>.+?)\s+(?:mean|stand\s+for|refer\s+to)|"
    # "What is 'MD' short for in the name of the md driver?"
    r"(?:is|are|was)\s+(?P<short>.+?)\s+(?:short|an\s+(?:abbreviation|acronym))\s+(?:for|of))\b"
    r"(?:\s+(?:in|for|on|within|inside|when|to)\b[^?]*)?\s*\??\s*$",
    re.IGNORECASE,
)
# Words that frame a question about what a name is short for ("What is LZO short for?").
_NAME_FRAMING = frozenset(terms("short abbreviation acronym"))
_DEFINITION_STATED = re.compile(
    r"\b(?:refers?\s+to|means|meant|stands?\s+for|is\s+defined\s+as|is\s+short\s+for|"
    r"denotes|is\s+an\s+abbreviation\s+(?:of|for))\b",
    re.IGNORECASE,
)
# "Who wrote the CNN story on ...?", "Who is the author of this post?": the question names a
# piece of writing, so it asks for the byline of an article, not for who wrote a book or a tool.
_PIECES = (
    r"article|story|piece|post|editorial|column|report|essay|review|op-ed|feature|spotlight|"
    r"interview|profile|blog|newsletter|obituary|"
    # Documents signed as articles are: "Who wrote the OpenSSL HOWTO on certificates?"
    r"howto|guide|tutorial|manual|readme|faq|document|paper|notes|letter|spec|specification|"
    # A message saved as an article: "When was the introduction to using CVS written?"
    r"introduction|message|e-?mail|announcement|memo"
)
_BYLINE_QUESTION = re.compile(
    r"^\s*(?:who\s+(?:wrote|authored|penned|(?:is|was)\s+the\s+(?:author|writer)\s+of)|"
    r"(?:what\s+is\s+the\s+name\s+of\s+)?the\s+(?:author|writer)\s+of)\b"
    rf"(?=.*\b(?P<modifier>[\w'’-]+)\s+(?P<piece>{_PIECES})\b|.*\b(?:{_PIECES}|this)\b)",
    re.IGNORECASE,
)
# "When was the CNN story on ... published?", "When was this written?": the question names a
# piece of writing and asks when it was written, which its article's opening says (a dateline,
# a "Date:" header), not when what it tells of happened.
_DATELINE_QUESTION = re.compile(
    r"^\s*(?:when|(?:on\s+)?what\s+(?:date|day))\s+(?:was|were|is|did)\b"
    rf"(?=.*\b(?P<modifier>[\w'’-]+)\s+(?P<piece>{_PIECES})\b|.*\b(?:{_PIECES}|this)\b)"
    r"(?=.*\b(?:written|write|published|publish|posted|sent|dated)\b)",
    re.IGNORECASE,
)
# A verb the question says is to be done ("do I need to regenerate the build files?"): an
# action is said in other words as easily as in the question's ("run make"), so unlike a thing
# it is not a subject. A verb's "-ing" form after "after", "when" … may name the thing asked
# about ("after dereferencing a symbolic-ref once"), and stays one.
_ACTION = re.compile(
    r"\b(?:need|needs|want|wants|have|has|had|how|able|trying|try|going|ought)\s+to\s+([a-z]+)\b",
    re.IGNORECASE,
)
# So is a verb the question has something do ("How do I make dh_python3 rewrite shebangs?",
# "let fzf use ...").
_CAUSED_ACTION = re.compile(
    r"\b(?:make|makes|let|lets)\s+(?!(?:the|a|an|my|its|this|that|these|those|your|our|their|"
    r"some|every|each|all|any)\b)(?:it|them|[\w./+-]*\w)\s+([a-z]+)\b",
    re.IGNORECASE,
)
# And so is an action a question sets its scene with ("After discarding invalid paths, which
# attribute ...?"): a step said in other words ("All paths with errors are not eligible"), not a
# thing the answer must name. Only in a clause before what is asked: "Which option did git
# symbolic-ref learn to stop after dereferencing it once?" asks about the dereferencing.
_STEP_ACTION = re.compile(
    r"\s*(?:after|before|when|while|once|upon|without|by)\s+([a-z]+ing)\b", re.IGNORECASE
)
_HOW_MEASURE = re.compile(r"\bhow\s+(\w+)", re.IGNORECASE)
# The quantifier "how" asks with ("How much did the extension cost?"): the answer is a
# quantity, not a sentence that says "much" ("would have cost a third as much"). An adjective
# of measure is another matter: the answer says it with its quantity ("3.4 kilometres long",
# "the 150-year-old museum"), so "long", "old", "tall" … stay words to find.
_QUANTIFIER_ASKED = re.compile(
    # "In what year ...?" asks for a date, which the answer gives without the word: a sentence
    # saying "a year later" shares nothing with it ("Who started tput, and in what year?").
    r"\bhow\s+(much|many)\b|\b(?:what|which)\s+(year|month|decade|century)\b",
    re.IGNORECASE,
)
# "have" only ties a question's subject to what is asked of it ("does the Sentra have?").
_HAVE = frozenset(terms("have has had"))
# "the CNN story", "this post": words that do not tell one piece of writing from another.
_DETERMINERS = frozenset({"the", "this", "that", "a", "an", "his", "her", "their", "its", "your"})
_PLACE_QUESTION = re.compile(
    r"^\s*where\b|\bin (?:what|which) (?:city|country|town|region|"
    r"state|place|county|province)\b",
    re.IGNORECASE,
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIME_ANSWER = re.compile(
    rf"\b(?:1[0-9]\d\d|20\d\d|\d{{1,2}}(?:st|nd|rd|th)? century|{_MONTHS}|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|\d{1,2}:\d{2}|\d{1,4}s\b|yesterday|today|"
    r"tomorrow|ago|since|until)\b",
    re.IGNORECASE,
)
# A digit after a letter is part of a name ("a C99-compliant compiler", "x86", "RFC2119"), and a
# manual's section part of its reference ("pg_dump(1)"), not a number: "What is the minimum
# version of Meson ...?" is not answered by a list naming C99. Nor is a numbered line's number
# ("1. Open Preferences", "6.2) Limits"): "How many items does a tab keep?" is not answered by
# the steps of a how-to. Nor a reference's ("Issue #349"), nor "double" in "double-clicked".
_NUMBER_ANSWER = re.compile(
    r"(?<![^\W_])(?<!\d\.|\w\()(?<!#)(?!(?<![^\n])\d{1,3}(?:\.\d{1,3})*[.)]\s)\d|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|dozen|twice)\b|"
    r"\b(?:half|double)\b(?!-\w)",
    re.IGNORECASE,
)
# A flag repeated says how much of what it does: "-vvvv duplicates all traffic" answers "How
# much verbosity do I need ...?" (not "How many actions ...?": it counts no things).
_REPEATED_FLAG = re.compile(r"(?<![\w-])-([a-z])\1+\b", re.IGNORECASE)
_HOW_MUCH = re.compile(r"\bhow\s+much\b", re.IGNORECASE)
# A number with what it counts: the answer to "how much/many" more surely than a bare number
# (a date, an age, a count of something else).
_UNIT = (
    r"(?:%|percent|per cent|[a-z]*(?:grams?|metres?|meters?|litres?|liters?|bytes?)"
    r"\b|kg|km|mm|cm|m\b|tonnes?|tons?|euros?|dollars?|pounds?|yen|million|billion|thousand|"
    r"hundred|people|jobs|votes|seats|hours?|minutes?|seconds?|days?|weeks?|months?|years?|"
    r"times|kilowatts?|watts?|miles?|feet|inches)"
)
# "In what unit ...?", "Which units is the delay given in?": answered by a sentence naming a
# unit of measure ("a integral number of microseconds elapsed"), with a number or without.
_UNIT_QUESTION = re.compile(r"\b(?:what|which)\s+units?\b|\bunits?\s+of\s+measure", re.IGNORECASE)
_UNIT_NAMED = re.compile(
    r"\b(?:[a-z]*(?:seconds?|grams?|metres?|meters?|litres?|liters?|bytes?|bits?|watts?|hertz)|"
    r"ms|us|µs|ns|minutes?|hours?|days?|weeks?|months?|years?|octets?|blocks?|sectors?|"
    r"characters?|pixels?|points?|degrees?|percent|per\s+cent|[kmgt]i?b|hz|khz|mhz|ghz|"
    r"miles?|feet|inches|jiffies|ticks)\b",
    re.IGNORECASE,
)
# A number with what it counts, in figures or in words ("every five minutes", "two weeks").
_QUANTITY = re.compile(
    rf"\d[\d.,]*[\s-]*{_UNIT}|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    rf"fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand|dozen|several)\s+{_UNIT}|"
    r"[$€£¥]\s?\d",
    re.IGNORECASE,
)
# "Which device node ...?", "Which file ...?": a path ("/dev/hidraw5", "debian/py3dist-overrides")
# or a file's name ("mkdocs.yml") answers, not any token typed (an option line "-I device").
_FILE_QUESTION = _asks_which(r"(?:" + "|".join(_FILE_KINDS) + ")")
_FILE_ANSWER = re.compile(
    r"(?<![\w/])(?:~|\.{1,2})?/[\w.-]+|\b[\w.-]+/[\w.-]*\w|\b[\w-]{2,}\.[a-z][a-z0-9]{0,4}\b(?!\.\w)"
)
# "Which exception do I get ...?": the class raised, by its name ("a .StaleDataError is raised").
_EXCEPTION_QUESTION = _asks_which(r"exceptions?")
_EXCEPTION_ANSWER = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b")
_STATUS_QUESTION = _asks_which(_STATUS_CODES)
# "Which option lets me ...?", "What flag ...": answered by an option as typed ("-outform"),
# which a file name beside it ("cert.csr") is not.
_OPTION_QUESTION = _asks_which(r"(?:options?|flags?|switch|switches)")
# An option as written in a sentence: after a space, a quote or a bracket ("'-outform'").
_OPTION_START = r"(?:^|[\s'\"‘“`(\[])--?"
_OPTION_ANSWER = re.compile(_OPTION_START + r"[A-Za-z][\w-]*")
# "What is the name of the configuration file ...?", "What is the tool called?": answered by a
# sentence that gives the name ("the file is named openssl.cnf").
_NAME_QUESTION = re.compile(
    r"\b(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?names?\s+of\b|"
    r"^\s*what\s+(?:is|was|are|were)\b[^?]{1,80}?\b(?:called|named)\s*\??\s*$",
    re.IGNORECASE,
)
_NAME_STATED = re.compile(
    r"\b(?:named|called|known\s+as|(?:its|the|whose)\s+name\s+is)\s+[\"'‘“`]?[\w./-]",
    re.IGNORECASE,
)
# How often, in words: "once per second", "twice a day", "every hour", "nightly". Only for
# "how often" ("once" alone is as often a conjunction: "Once the file is written, ...").
_FREQUENCY_QUESTION = re.compile(r"\bhow (?:often|frequently)\b", re.IGNORECASE)
_FREQUENCY = re.compile(
    r"\b(?:once|twice|thrice)\s+(?:per|a|an|every|each)\s+\w+|\b(?:twice|thrice)\b|"
    r"\bevery\s+(?:other\s+)?(?:second|minute|hour|day|week|month|year|night|morning)\b|"
    r"\b(?:hourly|daily|nightly|weekly|monthly|yearly|annually)\b",
    re.IGNORECASE,
)
# A name: a capitalised word past a sentence's start, or two capitalised words anywhere
# ("Mike Brennan", "Thomas E. Dickey").
_CAPITALISED = re.compile(
    r"(?<![.!?]\s)(?<![\n])(?<!^)\b[A-Z][\w’'-]+|\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+"
)
# Something typed: an option, a call, an identifier, a path, a version or a comparison. An
# option may be quoted ("use the extra argument '-outform'").
_CODE_ANSWER = re.compile(
    _OPTION_START + r"[A-Za-z0-9]|\w\(|\b\w+_\w+\b|\b\w+\.\w+\b|[<>=]=?\s*\d|/\w|\$\w|"
    r"%[A-Za-z]|\b[A-Z][A-Z0-9_]{2,}\b|\b(?:pip|make|python|npm|apt|git|sudo)\s+\w|"
    # A key pressed: one character in quotes ("the 's' key"), a chord ("Ctrl-X", "C-x", "^D"),
    # a key by its name ("the Insert key").
    r"(?<!\w)['‘\"“`][^\s'‘’\"“”`][’'\"”`](?!\w)|"
    r"\b(?:Ctrl|Control|Alt|Shift|Meta|Cmd|Super)[-+]\w|\b[CM]-[a-z]\b|\^[A-Z]\b|"
    r"\b[A-Z][a-z]+\s+key\b"
)
# A person's name: two or more capitalised words on one line ("Olli Salli", "Robert M. Love",
# "T. Sherwood", "Stefan Gössner"), not led by a word capitalised for grammar ("The Debian"),
# or a handle ("@progrium").
_PERSON_NAME = re.compile(
    r"\b(?!(?:The|A|An|This|That|These|Those|In|On|At|For|If|When|It|See|And|Or|But|To|By|"
    r"From|With|As|Of|Its|Our|Your|We|You|They|He|She|There|Then|Now|Each|All|No|Not)\s)"
    r"(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ’'-]+|[A-Z]\.)(?:[ \t]+[A-Z]\.)*[ \t]+"
    r"(?:(?:de|van|von|der|da|di|le|la)[ \t]+)?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ][\w’'-]*"
    r"|(?<![\w.])@[A-Za-z][\w-]{2,}"
)
# A number and the words right after it: "10 airbags", "114-room", "2.5 million people".
_COUNT = re.compile(
    r"(?<![\w.])((?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|dozen)(?:\s+(?:million|billion|thousand|hundred))?)"
    r"[\s-]+((?:[^\W\d_][\w'’]*[\s-]+){0,2}[^\W\d_][\w'’]*)",
    re.IGNORECASE,
)
# What "how many X" and "how much X" count: X, unless the question goes on with a verb ("How
# much does it cost?"). X may be words up to its verb: "How many compression methods does
# zipinfo know?" counts methods ("six methods known"), not only compression.
_HOW_MANY = re.compile(
    r"\bhow (?:many|much)\s+((?:[^\W\d_][\w'’-]*\s+){0,2}[^\W\d_][\w'’-]*)", re.IGNORECASE
)
_AUXILIARIES = "do does did is are was were will would can could have has had"
_COUNTED_ENDS = frozenset(_AUXILIARIES.split()) | frozenset(
    {"there", "in", "of", "on", "at", "for", "to", "from", "by", "with"}
)
_NOT_COUNTED = frozenset(terms(_AUXILIARIES))


# Asked of every sentence a question scores: the question is read once, not per sentence.
@functools.lru_cache(maxsize=1024)
def _counted_terms(question: str) -> frozenset[str]:
    found = _HOW_MANY.search(question)
    if found is None:
        return frozenset()
    words = list(itertools.takewhile(lambda w: w.lower() not in _COUNTED_ENDS, found[1].split()))
    return frozenset(terms(" ".join(words))) - _NOT_COUNTED


# Units a "how many" question may count in, by what they measure, and how a text says any unit
# of that measure: a time in seconds, minutes or "10s"; an amount of data in bytes or "64K".
# Not years or months, which a date says without the word ("from 1990 to 1995").
_MEASURES = (
    (
        frozenset(terms("seconds minutes hours days weeks milliseconds microseconds nanoseconds")),
        re.compile(
            r"\b(?:(?:milli|micro|nano)?seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|"
            r"daily|hourly|weekly)\b|\d\s*(?:ms|us|µs|ns|s|m|h|d)\b",
            re.IGNORECASE,
        ),
    ),
    (
        frozenset(terms("bytes kilobytes megabytes gigabytes terabytes bits")),
        re.compile(
            r"\b(?:[kmgt]i?b|[kmgtp]?bytes?|(?:kilo|mega|giga|tera)bytes?|bits?|octets?)\b|"
            r"\d\s*(?:[kmgtp]i?b?|b)\b",
            re.IGNORECASE,
        ),
    ),
)


def _measure_counted(question: str) -> re.Pattern[str] | None:
    """How a text says a unit of the measure a "how many" question counts in ("How many
    seconds ...?": any span of time), or None when it counts something else."""
    counted = _counted_terms(question)
    return next((said for units, said in _MEASURES if not counted.isdisjoint(units)), None)


# "How much does it cost?", "What is the price of ...?": answered by a sum of money.
_PRICE_QUESTION = re.compile(
    r"\b(?:cost|costs|price|priced|prices|charge|charges|fee|fees)\b", re.IGNORECASE
)
# "How much extra memory does the speed-up cost?" asks a cost in memory, not in money: "how
# much" with a thing measured after it, not a verb ("How much does it cost?") nor money.
_COST_IN_KIND = re.compile(
    r"^\s*how\s+(?:much|many)\s+(?:(?:extra|more|additional|less)\s+)?(?!(?:money|cash|dollars?|"
    r"euros?|pounds?|yen|cents?|does|do|did|will|would|is|are|was|were|can|could|should|has|"
    r"have|had)\b)[a-z]+\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\d[\d,.]*[\s-]*(?:million|billion|thousand)?[\s-]*(?:dollars?|euros?|pounds?|yen|"
    r"usd|eur|gbp|cents?|pesos?|rupees?|yuan|won|dong)\b",
    re.IGNORECASE,
)
_VERSION_ANSWER = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?![\w.]*\d)")
# "Starting with which version ...?", "Since which release ...?", "... first ...": asked when
# something began, so a version that ended the old way ("Up to version 1.25.x, mpg123 always
# returned exit code 0") does not answer as surely as the one it changed with ("With version
# 1.26.0, this changed").
_START_QUESTION = re.compile(
    r"\b(?:(?:starting|beginning)\s+(?:with|from|in|at)|since|as\s+of|from)\s+(?:which|what)\b"
    r"|\bfirst\b",
    re.IGNORECASE,
)
_VERSION_UNTIL = re.compile(
    r"\b(?:up\s+to|until|till|before|prior\s+to|older\s+than|earlier\s+than|below)\s+"
    r"(?:(?:version|release)\s+)?v?\d+\.[\dx]+",
    re.IGNORECASE,
)
# A place: a named one ("in Lyon"), or, in a program's documentation, a path ("placed in
# test/cctest", "~/Library/Caches/pip", "/etc/terminal-colors.d/hexdump.disable").
# Where to send, report or ask something: an address, a list, a tracker, a channel.
_ADDRESS_ANSWER = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://\S"
    r"|\b(?i:mailing[ -]list|issue tracker|bug tracker|forums?|IRC channel|chat room)\b"
)
_PLACE_ANSWER = re.compile(
    # A capitalised name, hyphenated too ("from X-Python3-Version", "in Baden-Baden").
    r"\b(?:in|at|from|near|to) (?:the )?[A-Z][\w-]*\w"
    r"|\b(?:in|at|from|under|into|to) (?:the )?[\w.-]+/[\w./-]*|"
    + PATH_ON_DISK
    + "|"
    + _ADDRESS_ANSWER.pattern
)
# "Where do I send a bug report?", "Where should questions be e-mailed?": asked where to send
# something, so an address answers, and a file or a page in the project's tree ("listed in the
# BUGS file") only may.
# The verb, not a noun ("Where does tinyproxy keep its PID file?", "... write its report?").
_ADDRESS_QUESTION = re.compile(
    r"^\s*where\b(?:\s+\S+){0,3}?\s+(?:should|do|does|can|could|may|must|to)\s+"
    r"(?:(?:i|we|you|one|users?|people)\s+)?(?:send|report|submit|mail|e-?mail|post|ask|contact|"
    r"reach|file|direct)\b"
    r"|^\s*where\b.*\b(?:be|is|are|get)\s+(?:sent|reported|submitted|mailed|e-?mailed|posted|"
    r"filed|directed|asked)\b",
    re.IGNORECASE,
)


# How much of a property's word a name made from it begins with ("SIG" of "signal"):
# ``QuestionInfo._names_instance``.
_ABBREVIATION_CHARS = 3


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    text: str
    asked: frozenset[str]  # terms an answering sentence would share (question words dropped)
    # What the question is about, each as index terms: its names, and words rare in English
    # (a tool's name written in lower case, a technical term).
    subjects: tuple[frozenset[str], ...]
    answer_type: AnswerType
    subject_words: tuple[str, ...] = ()  # each subject as the question writes it
    # Subjects written as identifiers ("pyproject.toml", "SOME_VAR"): typed, not said, so
    # matched exactly, never by a near spelling ("pyproject" is not "project").
    typed: frozenset[frozenset[str]] = frozenset()
    # Subjects that are verbs or adjectives ("divisible", "automates", "emit"), in a question
    # that also names something ("TIFF", "selfpipe"): they say what is asked of it, which the
    # articles may say in other words ("a multiple of 16"), not what it is about. The names
    # must be found; these need not be.
    descriptive: frozenset[frozenset[str]] = frozenset()
    # Version numbers ("9.0", "1.6.1"): the index has no term for them, so they are looked for
    # as written.
    versions: tuple[str, ...] = ()
    # Versions and code tokens as written ("2.0", "-p", "%M"): looked for in the text itself.
    literals: tuple[str, ...] = ()
    # Whole numbers the question names ("exit status 7", "uid 37"): the index has no term for
    # a short one, and a manual lists them as term lines. They point to the sentence that
    # answers, but unlike a code token are not required: a text may write "seven".
    numbers: tuple[str, ...] = ()
    # "Who wrote the CNN story on ...?": answered by an article's byline.
    asks_for_byline: bool = False
    # "When was the CNN story on ... published?": answered by an article's dateline.
    asks_for_dateline: bool = False
    # The piece as the question names it ("guest post"), when a word tells which: an article
    # that speaks of a "guest post" is not that post ("Who wrote the first guest post on ...?").
    piece: str | None = None
    # Words that frame what is asked rather than say it: "many" in "How many airbags does the
    # Sentra have?" says a number is asked for, "have" ties the subject to it; the answer ("It
    # has 10 airbags") need repeat neither.
    framing: frozenset[str] = frozenset()
    # "What is sftp's default buffer size?", "... when no lifetime is set?": the sentence that
    # answers states the default.
    asks_default: bool = False
    # "How much does it cost?": answered by a sum of money.
    asks_price: bool = False
    asks_frequency: bool = False  # "how often": "once per second" answers, with no number
    asks_option: bool = False  # "which option": a typed option answers ("-outform")
    asks_exception: bool = False  # "which exception": a class's name answers ("StaleDataError")
    asks_status: bool = False  # "which error code": a code's name or number answers ("EINVAL")
    asks_file: bool = False  # "which device node", "which file": a path or file name answers
    asks_name: bool = False  # "what is the name of": a sentence giving a name answers
    asks_reason: bool = False  # "why": a cause answers, not the consequence the question names
    asks_remedy: bool = False  # "how do I stop ...": a fix answers, not the symptom
    asks_limit: bool = False  # "the most ...", "how long can ...": a stated limit answers
    asks_unit: bool = False  # "in what unit ...": a sentence naming a unit of measure answers
    # "Who wrote mawk?": answered by a sentence saying who wrote it.
    asks_authorship: bool = False
    # "What does pinning mean?": the defined term's terms, answered by a sentence that says
    # what it means.
    defines: frozenset[str] = frozenset()
    # "What support tier do Rust's UEFI targets have?": the property asked for, as terms, its
    # last word first. A line naming it as a field answers ("Tier: 2").
    field: tuple[str, ...] = ()
    # The words only of the situation the question sets before it asks ("If a maintainer
    # script runs deluser for a user that is already gone, does it fail?": "maintainer",
    # "script", "gone"): the answer is said of it, but answers what is asked after it.
    situation: frozenset[str] = frozenset()
    # The part of it that states a fact ("My callback gets an err as its first argument;",
    # "Now that oauth2client is deprecated,"), not a condition ("When several rules match a
    # command,"): a sentence sharing only its words restates the premise, while one restating
    # a condition may well answer ("The last matching rule determines the action taken.").
    premise: frozenset[str] = frozenset()
    # The words only of what a question sets aside ("... find files with the same content
    # rather than the same name?": "name"): the alternative it does not ask about, whose
    # sentence ("If deduping by name, ...") does not answer.
    set_aside: frozenset[str] = frozenset()

    @property
    def seeks_kind(self) -> bool:
        """Whether the question asks for a kind of answer a sentence can be seen to hold."""
        return (
            self.answer_type is not AnswerType.ANY
            or self.asks_default
            or self.asks_limit
            or self.asks_unit
            or bool(self.defines)
            or bool(self.field)
        )

    @property
    def written(self) -> tuple[str, ...]:
        """Everything the question writes that is looked for as written in a sentence."""
        return (*self.literals, *self.numbers)

    @property
    def code_literals(self) -> tuple[str, ...]:
        """The options, format specifiers and variables the question writes ("-p", "%M")."""
        return tuple(literal for literal in self.literals if literal not in self.versions)

    def expects(self, sentence: str) -> float:
        """How surely ``sentence`` holds the kind of answer the question asks for, beyond the
        question's own words (a question about 1990 is not answered by "1990" alone): 1 for a
        quantity with its unit or a clear match, 0.75 for a full name where the question asks
        who made something and the sentence credits no one, 0.5 for a bare number or a lone
        capitalised word, else 0."""
        if self.states_what_is_asked(sentence):
            return 1.0
        if self.asks_unit:
            return float(self._finds(_UNIT_NAMED, sentence))
        if self.defines and self._defines_term(sentence):
            return 1.0
        if self.names_property(sentence):
            return 1.0
        if self.asks_name and _NAME_STATED.search(sentence):
            return 1.0
        kind = self.answer_type
        if kind is AnswerType.ANY:
            return 0.0

        def found(pattern: re.Pattern[str]) -> bool:
            return self._finds(pattern, sentence)

        if kind is AnswerType.TIME:
            return float(found(_TIME_ANSWER))
        if kind is AnswerType.NUMBER:
            if self.asks_price:
                # A price is a sum of money: "3.4 kilometres" is a quantity, not what it cost.
                sure = found(_MONEY)
            else:
                sure = (
                    found(_QUANTITY)
                    or self._counts_what_is_asked(sentence)
                    or (self.asks_frequency and found(_FREQUENCY))
                )
            if sure:
                return 1.0
            return 0.5 if found(_NUMBER_ANSWER) else 0.0
        if kind is AnswerType.CODE:
            if self.asks_status:
                return float(found(_CODE_ANSWER) or found(_NUMBER_ANSWER))
            if self.asks_exception:
                return float(found(_EXCEPTION_ANSWER))
            if self.asks_file:
                return float(found(_FILE_ANSWER))
            if self.asks_option:
                # Something else typed may be the option ("ServerAliveInterval"), or not.
                return 1.0 if found(_OPTION_ANSWER) else 0.5 * found(_CODE_ANSWER)
            return float(found(_CODE_ANSWER))
        if kind is AnswerType.VERSION:
            if not found(_VERSION_ANSWER):
                return 0.0
            if _START_QUESTION.search(self.text) and not self._finds(
                _VERSION_ANSWER, _VERSION_UNTIL.sub("", sentence)
            ):
                return 0.5  # every version it gives bounds the old way
            return 1.0
        if kind is AnswerType.PERSON:
            # A full name surely names someone; one capitalised word may ("Mozilla") or not
            # ("PCAP mode"). Who made something is surely named where the text says so.
            credits = self.asks_authorship and states_authorship(sentence)
            if found(_PERSON_NAME):
                return 1.0 if credits or not self.asks_authorship else 0.75
            # In capitals ("THIS SOFTWARE IS PROVIDED BY THE AUTHOR") no word stands out.
            if _shouted(sentence) or not found(_CAPITALISED):
                return 0.0
            # Credited, one name is the author's as surely as two ("Written up by Archibald").
            return 1.0 if credits else 0.5
        if self.asks_address and found(_ADDRESS_ANSWER):
            return 1.0
        return (0.5 if self.asks_address else 1.0) * found(_PLACE_ANSWER)

    @property
    def asks_address(self) -> bool:
        """Whether the question asks where to send something (``_ADDRESS_QUESTION``)."""
        return self.answer_type is AnswerType.PLACE and bool(_ADDRESS_QUESTION.search(self.text))

    def states_what_is_asked(self, text: str) -> bool:
        """Whether ``text`` states the kind of value the question asks for by its own words, a
        limit or a default ("The minimum value is 2 seconds" for "What is the shortest
        PollInterval vnstatd accepts?"), whatever words it says it in."""
        return (self.asks_limit and states_limit(text) and not _other_bound(self.text, text)) or (
            self.asks_default and states_default(text)
        )

    def _finds(self, pattern: re.Pattern[str], sentence: str) -> bool:
        """Whether ``pattern`` finds in ``sentence`` something the question does not say
        itself."""
        own = self.text.lower()
        held = _ANSWERS.get((pattern, sentence))
        if held is not None:
            read, whole = held
            if any(answer not in own for answer in read):
                return True
            if whole:
                return False
        return _first_unsaid(pattern, sentence, own)

    def _defines_term(self, sentence: str) -> bool:
        """Whether ``sentence`` says what the asked term means: a word of the term, then
        "refers to", "means", "stands for" ...; or, for a short name, the words it is made of
        ("slrn (``S-Lang read news'')" for "What does the name slrn stand for?")."""
        stated = _DEFINITION_STATED.search(sentence)
        if stated is not None and not self.defines.isdisjoint(terms(sentence[: stated.start()])):
            return True
        return any(spells_out(name, sentence) for name in self.defines)

    def credited(self, sentence: str) -> frozenset[str]:
        """The question's words of authorship ("wrote", "author") that ``sentence`` says in its
        own ("Written by Ian A. Murdock", "Copyright © 1996-2019 Julian Seward") when it
        credits someone with the work asked about; none otherwise."""
        if not self.asks_authorship or not states_authorship(sentence):
            return frozenset()
        return self.asked & _AUTHORSHIP_TERMS

    def may_be_answered_by(self, text: str) -> bool:
        """Whether ``text`` holds what a "how many" or "how much" question asks for at all: a
        number (the question's own do not count), a sum of money for a price; for "who wrote
        ...?", a credit ("Written up by Archibald", "Copyright 2004 Lennart Poettering"). Other
        questions may be answered in words of any kind."""
        if self.asks_authorship:
            # Only a credit says who made something: a full name may be anyone's (an example's
            # host, a contributor thanked), and a work nobody is credited with in the articles
            # is not answered by them.
            return self.expects(text) >= 1.0
        if self.answer_type is not AnswerType.NUMBER:
            return True
        if self.asks_price:
            return _MONEY.search(text) is not None
        measure = _measure_counted(self.text)
        if measure is not None and measure.search(text) is None:
            # "How many seconds must a program stay up ...?" is not answered by a passage that
            # names no span of time at all, whatever numbers it holds (a port, a version).
            return False
        if _HOW_MUCH.search(self.text) and self._finds(_REPEATED_FLAG, text):
            return True
        return self.expects(text) > 0

    def _states_field(self, sentence: str) -> bool:
        """Whether ``sentence`` is a field line naming the property asked for: "Tier: 2" for
        "What support tier ...?", "Exit status: 2" for "What exit status ...?"."""
        line = _FIELD_LINE.match(sentence)
        if line is None:
            return False
        label = frozenset(terms(line.group("label")))
        return self.field[0] in label and label <= self.asked

    def names_property(self, sentence: str) -> bool:
        """Whether ``sentence`` states the property a "what/which X ...?" question asks for:
        as a field line, by naming one of its kind, or by giving it a value."""
        return bool(self.field) and (
            self._states_field(sentence)
            or self._names_instance(sentence)
            or self._gives_value(sentence)
        )

    def _gives_value(self, sentence: str) -> bool:
        """Whether ``sentence`` gives the property asked for a value the question does not
        say: "the default TTL is 120 seconds" for "What TTL do packets get?", "the port is
        8080"."""
        head = self.field[0]
        tokens = _TOKEN.findall(sentence)
        own = self.text.lower()
        for index, token in enumerate(tokens[:-2]):
            if _sole_term(token) != head or tokens[index + 1].lower() not in _GIVES:
                continue
            value = tokens[index + 2]
            if value[:1].isdigit() and value.lower() not in own:
                return True
        return False

    def _names_instance(self, sentence: str) -> bool:
        """Whether ``sentence`` names one of the property asked for, by a name the question does
        not say, beside the property's word: "a BadMatch error" for "What error do I get
        ...?", "the Message class" for "Which class implements ...?"."""
        head = self.field[0]
        tokens = _TOKEN.findall(sentence)
        own = self.text.lower()
        own_words = {token.lower() for token in _TOKEN.findall(self.text)}
        # A name made from the property's word, as C names are ("SIGPWR" for "Which signals
        # ...?", "ENOENT" not: one letter says nothing).
        abbreviation = head[:_ABBREVIATION_CHARS]
        if len(head) > _ABBREVIATION_CHARS and any(
            is_typed(token)
            and len(token) > len(abbreviation) + 1
            and token.lower().startswith(abbreviation)
            and token.lower() not in own
            for token in tokens
        ):
            return True
        for index, token in enumerate(tokens):
            if _sole_term(token) != head:
                continue
            # "a few features like look around and backreferences" for "Which features ...
            # are missing?": the words that give examples name them, in any case.
            if _EXAMPLES_FOLLOW.match(" ".join(tokens[index + 1 : index + 4])):
                return True
            # Named in a list before it: "plain, xml, json and keyvalue formats".
            if (
                index >= 2
                and tokens[index - 2].lower() in ("and", "or")
                and tokens[index - 1].lower() not in own
            ):
                return True
            # Or past the word linking the property's verb to it ("prefixed by TEST_ENV_" for
            # "What prefix ...?"; not "libraries with find_package" for "Which library ...?").
            linked = (
                index + 2 < len(tokens)
                and token.lower().endswith("ed")
                and tokens[index + 1].lower() in _LINKING
            )
            for near in (index - 1, index + 1, *((index + 2,) if linked else ())):
                if not 0 <= near < len(tokens):
                    continue
                name = tokens[near]
                named = is_typed(name) or (near > 0 and name[:1].isupper())
                # A word of the question's, not a part of one: "Log" in "the Apache Combined
                # Log Format" is not said by "TransLogger".
                if named and name.lower() not in own_words:
                    return True
        return False

    def _counts_what_is_asked(self, sentence: str) -> bool:
        """Whether a number in ``sentence`` counts what the question asks for: "10 airbags"
        for "How many airbags ...?", "114-room" for "How many rooms ...?"; not the "four" of
        "four-cylinder engine" for "How much power does the engine make?"."""
        counted = _counted_terms(self.text)
        if not counted:
            return False
        own = self.text.lower()
        return any(
            match.group(1).lower() not in own and not counted.isdisjoint(terms(match.group(2)))
            for match in _COUNT.finditer(sentence)
        )


# Tokens whose sole term is remembered (``_sole_term``): a field question asks it of every token
# of every sentence it weighs, and words recur from sentence to sentence.
_SOLE_TERMS_HELD = 65_536


@functools.lru_cache(maxsize=_SOLE_TERMS_HELD)
def _sole_term(token: str) -> str | None:
    """The one term ``terms(token)`` gives; None for none or several. Stemming each token of
    each sentence anew was most of a field question's re-ranking (BENCHMARKS.md, "Scale,
    sixteenth pass")."""
    found = terms(token)
    return found[0] if len(found) == 1 else None


# Texts whose candidate answers are remembered, as far as they were read: a question asks this
# of the same sentences when it re-ranks passages and again when it quotes them, and later
# questions of the same passages (BENCHMARKS.md, "Scale, seventh pass").
_ANSWERS_HELD = 32_768
# (pattern, text) -> (what the pattern found in the text, lower-cased, each once, in order;
# whether that is all of it or the text was read only up to an answer some question did not say).
_ANSWERS: dict[tuple[re.Pattern[str], str], tuple[tuple[str, ...], bool]] = {}
_ANSWERS_LOCK = threading.Lock()


def _first_unsaid(pattern: re.Pattern[str], text: str, own: str) -> bool:
    """Whether ``pattern`` finds in ``text`` something not in ``own``, reading only up to the
    first such answer; what was read is remembered (``_ANSWERS``). Every answer was read before:
    a "who" question's candidate passages were scanned to the end for names when their first
    name already answered (BENCHMARKS.md, "Scale, twenty-first pass")."""
    read: dict[str, None] = {}
    for match in pattern.finditer(text):
        answer = match.group(0).lower()
        if answer in read:
            continue
        read[answer] = None
        if answer not in own:
            _hold((pattern, text), (tuple(read), False))
            return True
    _hold((pattern, text), (tuple(read), True))
    return False


def _hold(key: tuple[re.Pattern[str], str], found: tuple[tuple[str, ...], bool]) -> None:
    """Remember ``found`` for ``key``, the earliest remembered making room (search threads
    share the cache)."""
    with _ANSWERS_LOCK:
        _ANSWERS.pop(key, None)
        while len(_ANSWERS) >= _ANSWERS_HELD:
            del _ANSWERS[next(iter(_ANSWERS))]
        _ANSWERS[key] = found


def _condition_end(question: str) -> int:
    """Where a clause of condition that opens the question ends ("When I ..., which ...?",
    "With CMake, how ...?"), when what follows it asks; else 0."""
    clause = _CONDITION_CLAUSE.match(question)
    return clause.end() if clause and _ASKING.match(question, clause.end()) else 0


def answer_type(question: str) -> AnswerType:
    # What a question says before it asks, in a sentence or clause of its own ("Another library
    # of mine also defines a TEST macro; how do I ...?"), is not what it asks.
    question = question[_told_first(question) :]
    # "When I free a closure's memory, which address do I pass back?" asks for an address, not
    # a time: what is asked is in the question after its clause of condition.
    question = question[_condition_end(question) :]
    if _TIME_QUESTION.search(question):
        return AnswerType.TIME
    if _VERSION_QUESTION.search(question):
        return AnswerType.VERSION
    number = _NUMBER_QUESTION.search(question)
    if number:
        # "Which dav1d command-line option sets how many threads ...?" asks for the option its
        # first words name; the quantity is what the option sets. Not a kind word that only
        # makes a compound with the quantity ("What key size ...?").
        code = _CODE_HEAD.match(question)
        if code is None or number.end() <= code.end():
            return AnswerType.NUMBER
        if number.start() >= code.end():
            between = question[code.end() : number.start()].split()  # "sets" before "how many"
        else:
            between = question[code.end() : number.end()].split()[:-1]  # up to "the number"
        return AnswerType.CODE if between else AnswerType.NUMBER
    if _CODE_QUESTION.search(question):
        return AnswerType.CODE
    if _PERSON_QUESTION.search(question):
        return AnswerType.PERSON
    if _PLACE_QUESTION.search(question):
        return AnswerType.PLACE
    return AnswerType.ANY


def question_names(question: str) -> list[str]:
    """The names a question is about: capitalised words past its first, acronyms, numbers,
    identifiers (``snake_case``, ``camelCase``, ``v2.1``) and dotted names (``pyproject.toml``).

    Capitalisation says nothing in a question written in Title Case or all capitals, so then
    only the shapes that are names whatever the case (numbers, identifiers) count.
    """
    tokens = _TOKEN.findall(question)
    words = [t for t in tokens if t[:1].isalpha()]
    # In Title Case ("What Is The Default Port?") even the little words are capitalised; in
    # capitals nothing stands out. Otherwise a capital past the first word marks a name. The
    # pronoun "I" is capitalised in any case ("How do I run it in Docker?").
    title_case = any(
        w[:1].isupper() and w.lower() in _NOT_NAMES and w.lower() not in _TITLES and w != "I"
        for w in words[1:]
    )
    capitals_mean_names = not title_case and not question.isupper()
    names: list[str] = []
    for index, token in enumerate(tokens):
        bare = token.strip(".'’-")
        lower = bare.lower().removesuffix("'s").removesuffix("’s")
        if not bare or lower in _NOT_NAMES:
            continue
        capitalised = capitals_mean_names and index > 0 and bare[:1].isupper()
        if is_typed(bare) or capitalised:
            names.append(bare)
    return names


def is_typed(word: str) -> bool:
    """Whether ``word`` is shaped like something typed rather than said: a number, an
    identifier (``snake_case``, ``camelCase``), a dotted name (``pyproject.toml``) or an
    acronym. Such a name is a name whatever the case it is written in."""
    return (
        any(ch.isdigit() for ch in word)
        or _DOTTED.search(word) is not None
        or "_" in word
        or (len(word) > 1 and word.isupper() and word.isalpha())
        or (word[:1].islower() and any(ch.isupper() for ch in word[1:]))  # camelCase
    )


def rare_words(question: str) -> list[str]:
    """Words of the question that are rare in English at large (wordfreq's Zipf scale: under
    about three occurrences per million words). General-language frequencies, not this
    corpus's: a question's unusual word is what it is about, whatever the articles indexed."""
    words = {w.lower() for w in _TOKEN.findall(question) if w[:1].isalpha()}
    # With a token written as typed ("the %M format specifier", "the -p option"), the kind
    # word says what the token is: the token is what the question is about.
    kinds = _KIND_WORDS if _CODE_LITERAL.search(question) else frozenset()
    verbs = {m.group(1).lower() for m in _ACTION.finditer(question)}
    verbs |= {m.group(1).lower() for m in _CAUSED_ACTION.finditer(question)}
    step = _STEP_ACTION.match(question) if _condition_end(question) else None
    if step:
        verbs.add(step.group(1).lower())
    return sorted(
        w
        for w in words
        if w not in _NOT_NAMES
        and w not in kinds
        and w not in verbs
        and w not in _DOCUMENT_KINDS
        and not _is_manner(w)
        and _zipf(w) < _RARE_ZIPF
        and not _common_word_redone(w)
    )


# Prefixes that make a word of another ("unanswered", "reconnecting"): as a participle the word
# says what is done to something (a common word's doing, undone or done again), not what the
# question is about, and the articles say it in other words ("If no response is received").
# Not a program's name made so ("unbuffer", "unshare"): names are not inflected.
_REDOING = ("un", "re", "non", "pre", "mis", "over", "under")
_PARTICIPLE = ("ed", "ing")


def _common_word_redone(word: str) -> bool:
    """Whether ``word`` is a participle of a common English word behind one of ``_REDOING``'s
    prefixes."""
    return word.endswith(_PARTICIPLE) and any(
        word.startswith(prefix)
        and len(word) - len(prefix) >= 4
        and _zipf(word[len(prefix) :]) >= _RARE_ZIPF
        for prefix in _REDOING
    )


# Words naming the kind of document the answer is in ("in the socat SSL walkthrough", "the
# README"): where the answer is said, which its title need not call so, not what it is about.
_DOCUMENT_KINDS = frozenset(
    (
        "walkthrough",
        "walkthroughs",
        "tutorial",
        "tutorials",
        "howto",
        "howtos",
        "readme",
        "faq",
        "faqs",
        "manpage",
        "manpages",
        "handbook",
        "primer",
        "cheatsheet",
        "writeup",
        "docs",
    )
)


def _is_manner(word: str) -> bool:
    """Whether ``word`` is an adverb made from an adjective ("concurrently", "recursively"):
    it says how something is done, which the articles say in other words as easily ("in
    parallel"), as they do an action. A noun ending so ("anomaly", "assembly") has no
    adjective under it."""
    if not word.endswith("ly") or len(word) < _MANNER_MIN_CHARS:
        return False
    base = word[:-2]
    forms = (base, base[:-1] + "y" if base.endswith("i") else base, base + "le", base + "e")
    return max(zipf_frequency(form, "en") for form in forms) >= _ADJECTIVE_ZIPF


# An adverb is at least this long ("only", "fly", "reply" are not made so); the adjective under
# it is a word English uses (wordfreq's Zipf scale: about one in ten million words or more),
# not a fragment ("anoma").
_MANNER_MIN_CHARS = 7
_ADJECTIVE_ZIPF = 2.0


def _is_descriptive(word: str, question: str) -> bool:
    """Whether ``word`` is an adjective or a verb of English written as such ("divisible",
    "automates", "elapsed"): in lower case, and one English's lexicon (LemmInflect's) knows,
    but not as a noun. A noun names what a question is about ("proxy", "timeout"), as does a
    name or a term of art the lexicon does not know ("selfpipe", "errno"). A verb's bare form
    may be a program's name ("pip", "configure"): it is one only as the verb of the
    question's subject ("Why does NumExpr outperform NumPy?")."""
    if not (word.isalpha() and word.islower()):
        return False
    readings = getAllLemmas(word)
    if not readings or "NOUN" in readings or "PROPN" in readings:
        return False
    if "ADJ" in readings or any(lemma != word for lemma in readings.get("VERB", ())):
        return True
    return any(
        not _ASKER.issuperset(words)
        and not any("VERB" in getAllLemmas(between) for between in words)
        for found in re.finditer(_PREDICATE.format(re.escape(word)), question, re.IGNORECASE)
        for words in [found.group(1).lower().split()]
    )


# Who asks: "How do I configure pip ...?" asks how to do what it says, in the words a how-to
# would use.
_ASKER = frozenset({"i", "we", "you", "one", "not"})
# A bare verb after an auxiliary and the few words naming its subject, none a verb: "does
# NumExpr outperform", "can the daemon reload"; not "do I make pip ...".
_PREDICATE = (
    r"\b(?:do|does|did|can|could|will|would|should|may|might|must)\s+(?:not\s+)?"
    r"((?:[^\s?]+\s+){{1,3}}?){0}\b"
)


def word_frequency(word: str) -> float:
    """How common ``word`` is in English (wordfreq's Zipf scale), counting its base form."""
    return _zipf(word)


def _zipf(word: str) -> float:
    """How common a word is in English, counting its base form: "computes" and "disables"
    are rarer than "compute" and "disable", but no rarer a subject."""
    forms = {word}
    for suffix, replacement in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)]
            forms.add(stem + replacement)
            if not replacement and len(stem) >= 4 and stem[-1] == stem[-2] != "s":
                # A consonant doubled: "formatting", "stopped", and in British spelling an l
                # ("modelled", "labelling").
                forms.add(stem[:-1])
    return max(zipf_frequency(form, "en") for form in forms)


# A compound's second half that says a thing is after the manner of the name before it ("a
# Pandoc-style header", "URL-style encoding"): the articles may say the name alone ("a 3-line
# Pandoc header").
_IN_THE_MANNER_OF = re.compile(
    r"(?<=\w)-(?:style|like|based|compatible|specific|aware|flavou?red)$", re.IGNORECASE
)


def read_question(question: str) -> QuestionInfo:
    written = question
    # "What's the minimum TLS version ...?" asks what "What is ..." asks: the rules read it so.
    question = _CONTRACTED_IS.sub(r"\1 is", question)
    subjects: list[frozenset[str]] = []
    words: list[str] = []
    typed: set[frozenset[str]] = set()
    # "... if I haven't configured anything?": the verb of leaving a value unsaid is how the
    # question asks for the default, not what it is about.
    implied_by = _IMPLIED_DEFAULT.search(question)
    left_unsaid = (
        _LEAVING_VERBS.intersection(implied_by.group(0).lower().split()) if implied_by else set()
    )
    for word in [*question_names(question), *rare_words(question)]:
        if word.lower() in left_unsaid:
            continue
        # "Pandoc-style", "URL-like": the name is what the thing is in the style of.
        word = _IN_THE_MANNER_OF.sub("", word) or word
        found = frozenset(terms(word))
        if found and found not in subjects:
            subjects.append(found)
            words.append(word)
            if is_typed(word):
                typed.add(found)
    said = [
        found
        for found, word in zip(subjects, words, strict=True)
        if _is_descriptive(word, question)
    ]
    descriptive = frozenset(said) if len(said) < len(subjects) else frozenset()
    byline = _BYLINE_QUESTION.match(question)
    dateline = _DATELINE_QUESTION.match(question)
    # An implied default is asked as if said, and frames the question as "many" does.
    implied_default = implied_by is not None
    implied = _DEFAULT if implied_default else frozenset()
    situation, premise = _situation(question)
    # "What is LZO short for?": "short" frames the question; the answer spells the name out
    # ("The acronym LZO is standing for Lempel-Ziv-Oberhumer") under any heading ("Short
    # documentation" is no closer to it).
    definition = _DEFINITION_QUESTION.match(question)
    naming = _NAME_FRAMING if definition else frozenset()
    return QuestionInfo(
        text=written,
        asked=frozenset(question_terms(question)) - _quantifier_asked(question) - naming | implied,
        framing=_framing(question) | implied | naming,
        subjects=tuple(subjects),
        subject_words=tuple(words),
        typed=frozenset(typed),
        descriptive=descriptive,
        answer_type=answer_type(question),
        versions=tuple(dict.fromkeys(_VERSION.findall(question))),
        literals=tuple(
            dict.fromkeys([*_VERSION.findall(question), *_CODE_LITERAL.findall(question)])
        ),
        numbers=tuple(
            dict.fromkeys([*_WHOLE_NUMBER.findall(question), *_spelled_numbers(question)])
        ),
        asks_for_byline=byline is not None,
        asks_for_dateline=dateline is not None,
        piece=_piece(byline or dateline),
        asks_default=implied_default or _EXPLICIT_DEFAULT.search(question) is not None,
        asks_price=_PRICE_QUESTION.search(question) is not None
        and _COST_IN_KIND.match(question) is None,
        asks_frequency=_FREQUENCY_QUESTION.search(question) is not None,
        asks_option=_OPTION_QUESTION.search(question) is not None,
        asks_exception=_EXCEPTION_QUESTION.search(question) is not None,
        asks_status=_STATUS_QUESTION.search(question) is not None,
        asks_file=_FILE_QUESTION.search(question) is not None,
        asks_name=_NAME_QUESTION.search(question) is not None,
        asks_reason=_REASON_QUESTION.match(question) is not None,
        asks_remedy=_REMEDY_QUESTION.search(question) is not None
        and _REASON_QUESTION.match(question) is None,
        asks_limit=_LIMIT_QUESTION.search(question) is not None,
        asks_unit=_UNIT_QUESTION.search(question) is not None,
        asks_authorship=_AUTHORSHIP_QUESTION.search(question) is not None,
        defines=_defined_term(definition),
        field=_field(question, answer_type(question)),
        situation=situation,
        set_aside=set_aside(question),
        premise=premise,
    )


# What a question sets out before it asks: a clause of condition ("If ..., does it fail?",
# "Now that oauth2client is deprecated, what ...?") or sentences before the one that asks
# ("My callback gets an err as its first argument; what should ...?").
# A clause stating a fact ("since", "now that") sets a premise; the others a condition.
_SETTING_CLAUSE = re.compile(
    r"\s*(?:(?P<premise>since|now that|given that)|when|if|once|after|before|while)\b"
    r"[^,?;]*,\s*",
    re.IGNORECASE,
)
_SETTING_SENTENCES = re.compile(
    r".*(?:[.:!?]\s+(?=[A-Z])|;\s*(?=\S)|[.:!?]\s+(?=(?i:" + _ASKING.pattern + r")))",
    re.DOTALL,
)


def _told_first(question: str) -> int:
    """Where a question's last sentence or clause starts, past what it says before it asks
    ("Another library defines a TEST macro; how do I ...?"): 0 when it says nothing first."""
    setting = _SETTING_SENTENCES.match(question.rstrip().rstrip("?"))
    return setting.end() if setting else 0


def set_aside(text: str) -> frozenset[str]:
    """The terms only of the alternative a question or sentence sets aside ("rather than the
    same name", "instead of overwriting it"), up to the end of its clause."""
    aside = _SET_ASIDE.search(text)
    if aside is None:
        return frozenset()
    rest = text[: aside.start()] + text[aside.end() :]
    return frozenset(question_terms(aside.group("aside"))) - frozenset(question_terms(rest))


_SET_ASIDE = re.compile(r"\b(?:rather than|instead of|as opposed to)\s+(?P<aside>[^,;?]+)", re.I)


def _situation(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """The terms of the situation a question sets before what it asks, less those it asks
    with (none when it sets none), and those of it that state a premise rather than a
    condition (``QuestionInfo.premise``)."""
    end = premise_end = _told_first(question)
    clause = _SETTING_CLAUSE.match(question, end)
    if clause and _ASKING.match(question, clause.end()):
        end = clause.end()
        if clause.group("premise"):
            premise_end = end
    if not end:
        return frozenset(), frozenset()
    asked = frozenset(question_terms(question[end:]))
    situation = frozenset(question_terms(question[:end])) - asked
    return situation, situation & frozenset(question_terms(question[:premise_end]))


def _piece(piece_question: re.Match[str] | None) -> str | None:
    """The piece of writing a byline or dateline question names with its modifier ("guest
    post"), if any."""
    if piece_question is None or not piece_question.group("piece"):
        return None
    modifier = piece_question.group("modifier")
    if not modifier or modifier.lower() in _DETERMINERS:
        return None
    return f"{modifier} {piece_question.group('piece')}"


@functools.lru_cache(maxsize=1024)
def _literal_patterns(literal: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    # A release is written with or without its "v" ("Git v2.39 Release Notes" is about 2.39).
    release = "[vV]?" if literal[:1].isdigit() else ""
    # A release is also written after its project's name and a dash ("What's new in
    # ppp-2.4.9."); a number after a digit and a dash is a range's end ("3.1-3.3").
    after_name = r"|(?<=[A-Za-z]-)" if release else ""
    written = re.compile(rf"(?:(?<![\w.-]){after_name}){release}{re.escape(literal)}(?![\w-]|\.\d)")
    # A manual lists "%M" as a term line "M", "-p" as "-p, --portability".
    core = literal.lstrip(_SIGILS) or literal
    # An option of one capital letter takes its value glued to it there: tabs(1) lists "-T" as
    # "-Tname". Options that are words are written in lower case ("-size", "-name"), so a
    # capital followed by lower case is the letter and its value's placeholder.
    glued = "|[a-z]+$" if len(core) == 1 and core.isupper() and literal != core else ""
    term = re.compile(rf"^[{re.escape(_SIGILS)}]*{re.escape(core)}(?:$|,{glued})", re.MULTILINE)
    return written, term


def _defined_term(asked: re.Match[str] | None) -> frozenset[str]:
    """The terms of the term a question asks the meaning of ("pinning a package version"), from
    its match of ``_DEFINITION_QUESTION``."""
    return frozenset(terms(asked.group("term") or asked.group("short"))) if asked else frozenset()


def _field(question: str, kind: AnswerType) -> tuple[str, ...]:
    """The terms of the property a "what/which X does ..." question asks for, last word first.
    After a preposition, only a property that is not already the kind of answer asked for:
    "In what year ...?" asks for a date, "In what country ...?" for a place."""
    asked = _PROPERTY_QUESTION.match(question)
    if asked is None or (asked.group("preposition") and kind is not AnswerType.ANY):
        return ()
    found = terms(asked.group("property"))
    if asked.group("of") and found and found[-1] in _KINDS:
        # "What kind of exit status ...?" asks for an exit status.
        found = terms(asked.group("of"))
    return tuple(reversed(found))


# Words that only say a sort of what follows them ("kind of", "types of").
_KINDS = frozenset(terms("kind kinds type types sort sorts"))


def _quantifier_asked(question: str) -> frozenset[str]:
    """The terms of the quantifier a "how" question asks with ("much", "many"), and the kind of
    date an "in what year/month ...?" question asks for."""
    return frozenset(
        terms(" ".join(m.group(1) or m.group(2) for m in _QUANTIFIER_ASKED.finditer(question)))
    )


def _framing(question: str) -> frozenset[str]:
    """The terms of the words that frame what a question asks: the word after "how" ("many",
    "big", "long": the kind of measure asked for) and "have"."""
    words = [match.group(1) for match in _HOW_MEASURE.finditer(question)]
    return _HAVE | frozenset(terms(" ".join(words)))


# The ASCII characters that are not letters, and those that are not capitals.
_ASCII_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_ASCII_NOT_CAPITALS = bytes(c for c in range(128) if not chr(c).isupper())


def _shouted(sentence: str) -> bool:
    """Whether most of a sentence's letters are capitals."""
    if sentence.isascii():
        # Counted by deleting the other bytes, in C: a Python loop over every character cost
        # ~1 % of a first ask at a million passages (BENCHMARKS.md, "Scale, fifteenth pass").
        raw = sentence.encode("ascii")
        letters = len(raw.translate(None, _ASCII_NOT_LETTERS))
        return len(raw.translate(None, _ASCII_NOT_CAPITALS)) * 2 > letters
    found = [ch for ch in sentence if ch.isalpha()]
    return sum(ch.isupper() for ch in found) * 2 > len(found)


# The words of an upper bound and of a lower one, in a question ("the maximum length", "the
# longest") and in the sentence stating a limit ("the minimum PIN length", "at least 8").
_UPPER_BOUND = re.compile(
    r"\b(?:maximum|max|most|longest|largest|biggest|highest|greatest|upper|up\s+to|"
    r"no\s+(?:more|longer|larger|bigger)\s+than|exceeds?|cannot\s+exceed)\b",
    re.IGNORECASE,
)
_LOWER_BOUND = re.compile(
    r"\b(?:minimum|min|least|fewest|shortest|smallest|lowest|lower|no\s+(?:fewer|less|shorter|"
    r"smaller)\s+than|not\s+(?:fewer|less|shorter)\s+than)\b",
    re.IGNORECASE,
)


def _other_bound(question: str, sentence: str) -> bool:
    """Whether ``sentence`` states only the other bound than the one ``question`` asks for:
    "the minimum PIN length" does not say what the maximum is."""
    for asked, other in ((_UPPER_BOUND, _LOWER_BOUND), (_LOWER_BOUND, _UPPER_BOUND)):
        if asked.search(question) and not other.search(question):
            return other.search(sentence) is not None and asked.search(sentence) is None
    return False


def states_limit(sentence: str) -> bool:
    """Whether ``sentence`` says what a limit is ("The maximum allowed value is 50,000")."""
    return _LIMIT_STATED.search(sentence) is not None


# A word for ``spells_out``: its parts split at hyphens ("S-Lang" gives "S" and "Lang").
_SPELLING_WORD = re.compile(r"[^\W\d_]+")
# The shortest and longest names read as spelled out by words' first letters: two words'
# initials spell a two-letter name by chance in most paragraphs.
_SHORTEST_SPELLED = 3
_LONGEST_SPELLED = 8


def spells_out(name: str, sentence: str) -> bool:
    """Whether ``sentence`` names ``name`` and holds the words it is made of, their first letters
    spelling it in order ("slrn (``S-Lang read news'') is a Usenet newsreader", "a Foreign
    Function Interface (FFI)"): what a short name stands for, said without "stands for". A name
    of 3 to 8 letters, written as one word in the sentence."""
    letters = name.lower()
    if not (_SHORTEST_SPELLED <= len(letters) <= _LONGEST_SPELLED and letters.isalpha()):
        return False
    words = _SPELLING_WORD.findall(sentence)
    if letters not in (word.lower() for word in words):
        return False
    initials = "".join(word[0].lower() for word in words)
    found = initials.find(letters)
    while found != -1:
        # The words spelling it do not include the name itself ("Secure Shell (ssh)").
        if all(word.lower() != letters for word in words[found : found + len(letters)]):
            return True
        found = initials.find(letters, found + 1)
    return False


def states_default(sentence: str) -> bool:
    """Whether ``sentence`` says what a default is."""
    return _DEFAULT_STATED.search(sentence) is not None


def names_release(text: str) -> bool:
    """Whether ``text`` names a release ("New in version 4.0", "2.2.0 (2018-09-19)")."""
    return _VERSION_ANSWER.search(text) is not None


def holds_literal(literal: str, text: str) -> bool:
    """Whether ``text`` holds ``literal`` as written, or as a term line of a definition list."""
    written, term = _literal_patterns(literal)
    return bool(written.search(text) or term.search(text))
