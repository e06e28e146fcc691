import pytest

from articleqa.lexical import LexicalIndex, terms
from articleqa.spelling import american


@pytest.mark.parametrize(
    ("british", "us"),
    [
        ("colours", "colors"),
        ("coloured", "colored"),
        ("behaviour", "behavior"),
        ("licence", "license"),
        ("centre", "center"),
        ("centred", "centered"),
        ("kilometres", "kilometers"),
        ("fibre", "fiber"),
        ("organisation", "organization"),
        ("optimised", "optimized"),
        ("analyse", "analyze"),
        ("defence", "defense"),
    ],
)
def test_a_british_spelling_reads_as_the_american_one(british: str, us: str) -> None:
    assert american(british) == us
    assert terms(british) == terms(us)


@pytest.mark.parametrize(
    "word",
    [
        "four",
        "hours",
        "flour",
        "scouring",  # not "scoring"
        "exercise",
        "expertise",
        "surprise",
        "sentence",
        "fence",
        "acre",
        "entre",  # French in English text, not "enter"
        "lettres",
    ],
)
def test_a_word_that_only_ends_alike_keeps_its_spelling(word: str) -> None:
    assert american(word) == word


def test_a_question_in_british_spelling_finds_the_american_passage() -> None:
    passages = [
        "The output coloring can be disabled by an empty file hexdump.disable.",
        "The hexdump utility displays files in a user-specified format.",
    ]
    scores = LexicalIndex.build(passages).scores("How do I turn off hexdump's colours?")
    assert scores[0] > scores[1]
