"""British spellings read as their American forms, so that either finds the other.

A question asking how to "turn off hexdump's colours" shares no word with the manual's "Implicit
coloring can be disabled …", and "Under what licence …" none with "… under the MIT license":
the stemmer keeps "colour" and "color" apart. A word of the patterns that British spelling
differs by ("-our", "-ise", "-yse", "-ence" and their inflections) is read as its American form
when English at large (wordfreq) writes that form more often: a spelling variant, not another
word. The frequencies decide it so that a word merely ending alike keeps its spelling
("exercise" is not "exercize", "hours" not "hors", "expertise" not "expertize"); an "-our" word
needs three letters before its "-our", since "scour" and "four" are not "scor" and "for". The
"-re" words ("centre", "metre", "fibre") are a small closed class, listed: by pattern, French
words in English text ("entre", "lettre", "votre") would have been read as others ("enter").
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import zipf_frequency

# Each British ending and its American form; group 1 is kept before the ending, group 2 (an
# inflection) after it.
_VARIANTS = (
    # colour(s/ed/ing/ful), behaviour, favourite, honourable, neighbouring …
    (re.compile(r"^(\w{3,})our(s|ed|ing|ful|ite|ites|able|ably|er|ers|ist|ists)?$"), "or"),
    # organise, organisation(s), optimiser, realising …
    (re.compile(r"^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|able)$"), "iz"),
    # analyse(d/s), paralysing …
    (re.compile(r"^(\w+)ys(e|es|ed|ing|er|ers)$"), "yz"),
    # licence(s/d), defence, offence …
    (re.compile(r"^(\w{2,})enc(e|es|ed|ing)$"), "ens"),
)
# The British "-re" words (and those ending in them: "kilometre", "epicentre", "lacklustre"),
# then "-re", "-res", "-red" read "-er", "-ers", "-ered".
_RE_WORDS = re.compile(
    r"^(\w*(?:cent|met|lit|theat|spect|scept|lust|mit|goit|fib|calib|sab|somb|meag|och))"
    r"r(e|es|ed)$"
)
_RE_AMERICAN = {"e": "er", "es": "ers", "ed": "ered"}
_SHORTEST = 5  # no shorter word is a British variant ("odour", "fibre")


@lru_cache(maxsize=65_536)
def american(word: str) -> str:
    """``word`` (lower case) in its American spelling, or as it is when it is not a British
    variant of a more frequent word."""
    if len(word) < _SHORTEST:
        return word
    listed = _RE_WORDS.match(word)
    if listed:
        return f"{listed.group(1)}{_RE_AMERICAN[listed.group(2)]}"
    candidates = []
    for pattern, ending in _VARIANTS:
        match = pattern.match(word)
        if match:
            candidates.append(f"{match.group(1)}{ending}{match.group(2) or ''}")
    if not candidates:
        return word
    own = zipf_frequency(word, "en")
    best = max(candidates, key=lambda c: zipf_frequency(c, "en"))
    return best if zipf_frequency(best, "en") > own else word
