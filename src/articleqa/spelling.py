"""British spellings read as their American forms, so that either finds the other.

A question asking how to "turn off hexdump's colours" shares no word with the manual's "Implicit
coloring can be disabled …", and "Under what licence …" none with "… under the MIT license":
the stemmer keeps "colour" and "color" apart. Each word of the patterns that British spelling
differs by ("-our", "-ise", "-yse", "-ence", "-tre", and their inflections) is read as its
American form when English at large (wordfreq) writes that form more often: a spelling variant,
not another word. The frequencies decide it so that a word merely ending alike keeps its
spelling ("exercise" is not "exercize", "hour" not "hor", "expertise" not "expertize"), without
a list of words to keep up; "four", whose "for" is more frequent, is shorter than any word the
"-our" pattern is meant for.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import zipf_frequency

# Each British ending and its American form; group 1 is kept before the ending, group 2 (an
# inflection) after it.
_VARIANTS = (
    # colour(s/ed/ing/ful), behaviour, favourite, honourable, neighbouring …
    (re.compile(r"^(\w{2,})our(s|ed|ing|ful|ite|ites|able|ably|er|ers|ist|ists)?$"), "or"),
    # organise, organisation(s), optimiser, realising …
    (re.compile(r"^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|able)$"), "iz"),
    # analyse(d/s), paralysing …
    (re.compile(r"^(\w+)ys(e|es|ed|ing|er|ers)$"), "yz"),
    # licence(s/d), defence, offence …
    (re.compile(r"^(\w{2,})enc(e|es|ed|ing)$"), "ens"),
)
# centre(s/d), metre, litre: "-tre" before its inflection reads "-ter".
_TRE = re.compile(r"^(\w+t)r(e|es|ed)$")
_TRE_AMERICAN = {"e": "er", "es": "ers", "ed": "ered"}
# "four" is "for" more often: the "-our" words meant here have five letters or more.
_SHORTEST = 5


@lru_cache(maxsize=65_536)
def american(word: str) -> str:
    """``word`` (lower case) in its American spelling, or as it is when it is not a British
    variant of a more frequent word."""
    if len(word) < _SHORTEST:
        return word
    candidates = []
    for pattern, ending in _VARIANTS:
        match = pattern.match(word)
        if match:
            candidates.append(f"{match.group(1)}{ending}{match.group(2) or ''}")
    match = _TRE.match(word)
    if match:
        candidates.append(f"{match.group(1)}{_TRE_AMERICAN[match.group(2)]}")
    if not candidates:
        return word
    own = zipf_frequency(word, "en")
    best = max(candidates, key=lambda c: zipf_frequency(c, "en"))
    return best if zipf_frequency(best, "en") > own else word
