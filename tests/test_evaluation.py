"""`articleqa eval` on a tiny SQuAD-format file: normalisation, hit counting, abstention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleqa.cli.main import main
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.errors import InvalidInput
from articleqa.evaluation import (
    calibrate_threshold,
    contains_answer,
    evaluate,
    evaluate_documents,
    format_table,
    load_squad,
    squad_normalize,
)

PARAGRAPHS = {
    "Lighthouses": [
        "The Eddystone Lighthouse stands on rocks fourteen kilometres south of Rame Head. "
        "John Smeaton built the third tower in 1759 from dovetailed granite blocks.",
        "Lighthouse keepers trimmed the lamp wicks every four hours through the night. "
        "Automation ended the last keeper's watch at Eddystone in 1982.",
    ],
    "Orchards": [
        "Cider apples are grown in Somerset orchards on tall standard trees. "
        "The Kingston Black variety gives a bittersharp juice prized by makers.",
        "Orchard wassailing is held in January to bless the trees for a good harvest. "
        "Toast soaked in cider is placed in the branches for the robins.",
    ],
}
QUESTIONS = {
    "Lighthouses": [
        ("Who built the third Eddystone tower?", "John Smeaton"),
        ("When did automation end the keeper's watch at Eddystone?", "1982"),
    ],
    "Orchards": [
        ("Which apple variety gives a bittersharp juice?", "Kingston Black"),
        ("When is orchard wassailing held?", "in January"),
    ],
}


def _write_squad(path: Path) -> Path:
    data = []
    for title, paragraphs in PARAGRAPHS.items():
        entries = []
        for number, context in enumerate(paragraphs):
            question, answer = QUESTIONS[title][number]
            entries.append(
                {
                    "context": context,
                    "qas": [
                        {
                            "id": f"{title}-{number}",
                            "question": question,
                            "answers": [{"text": answer, "answer_start": context.find(answer)}],
                            "is_impossible": False,
                        },
                        {
                            "id": f"{title}-{number}-x",
                            "question": "Unanswerable?",
                            "answers": [],
                            "is_impossible": True,
                        },
                    ],
                }
            )
        data.append({"title": title, "paragraphs": entries})
    path.write_text(json.dumps({"version": "v2.0", "data": data}))
    return path


def test_squad_normalisation_drops_case_punctuation_and_articles() -> None:
    assert squad_normalize("The  Kingston-Black, a variety!") == "kingstonblack variety"
    assert contains_answer("It was held in January, as ever.", ["in January"])
    assert not contains_answer("Januaryish weather", ["January"])


def test_load_squad_keeps_only_answerable_questions(tmp_path: Path) -> None:
    dataset = load_squad(_write_squad(tmp_path / "dev.json"))
    assert set(dataset.articles) == {"Lighthouses", "Orchards"}
    assert len(dataset.questions) == 4


def test_load_squad_refuses_other_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"rows": []}')
    with pytest.raises(InvalidInput):
        load_squad(bad)


def test_calibrated_threshold_answers_the_asked_share() -> None:
    in_scores = [0.1 * i for i in range(1, 21)]
    threshold = calibrate_threshold(in_scores, [0.0], min_answered=0.95)
    assert sum(s >= threshold for s in in_scores) / len(in_scores) >= 0.95


def test_evaluate_reports_every_ranker(tmp_path: Path, backend_settings: Settings) -> None:
    # On PostgreSQL it indexes into a scratch database beside the configured one.
    report = evaluate(
        _write_squad(tmp_path / "dev.json"),
        backend_settings,
        FakeEmbedder(),
        calibrate=True,
        with_txtai=False,
    )
    names = [row.name for row in report.rows]
    assert names[0] == "articleqa hybrid"
    assert {"BM25 only", "dense only"} <= set(names)
    hybrid = report.rows[0]
    # Each tiny question shares its rare words with exactly one paragraph.
    assert hybrid.hit1 == 1.0
    assert hybrid.highlight1 == 1.0
    assert hybrid.answered_in is not None and hybrid.answered_in >= 0.75
    assert hybrid.abstain_out is not None
    assert "| articleqa hybrid | 1.000 |" in format_table(report)


def test_answered_counts_what_a_user_is_answered(
    tmp_path: Path, backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQuAD's "answered" had counted the names and the similarity only, while a user's ask
    # also applies the rest of the subject check: 0.946 reported, 175 of 204 (0.858) answered.
    from articleqa.search import Searcher

    monkeypatch.setattr(Searcher, "_more_than_a_passing_mention", lambda *_args: False)
    report = evaluate(
        _write_squad(tmp_path / "dev.json"), backend_settings, FakeEmbedder(), with_txtai=False
    )

    assert report.rows[0].answered_in == 0.0
    assert report.rows[0].abstain_out == 1.0


def test_eval_command_prints_the_table(tmp_path: Path) -> None:
    dataset = _write_squad(tmp_path / "dev.json")
    result = CliRunner().invoke(
        main,
        ["--home", str(tmp_path / "home"), "eval", str(dataset), "--no-txtai"],
        env={"ARTICLEQA_EMBEDDING_BACKEND": "fake"},
    )
    assert result.exit_code == 0, result.output
    assert "hit@1" in result.output
    assert "BM25 only" in result.output


def test_the_follow_up_set_is_big_enough_and_its_answers_are_verbatim(settings: Settings) -> None:
    from articleqa.evaluation import load_conversations
    from articleqa.ingest import read_file
    from articleqa.ingest.prepare import prepare_article
    from articleqa.models import RawArticle

    folder = Path(__file__).resolve().parents[1] / "eval" / "followups"
    sources, conversations = load_conversations(folder)
    turns = [t for c in conversations for t in c]
    assert len(conversations) >= 30
    assert all(2 <= len(c) <= 4 for c in conversations)
    assert sum(t.kind == "new-subject" for t in turns) >= 10
    assert all(t.kind == "start" for t in (c[0] for c in conversations))
    texts = [
        prepare_article(raw).text
        for source in sources
        for path in source.iterdir()
        for _label, raw in read_file(path, settings)
        if isinstance(raw, RawArticle)
    ]
    missing = [t.question for t in turns if not any(a in x for a in t.answers for x in texts)]
    assert missing == [], "gold answers must be verbatim article text"


def test_followups_eval_prints_with_and_without_context(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "chess.txt").write_text(
        "Pellingford chess club wins county cup\n\nThe Pellingford chess club won the county cup "
        "on Sunday.\n\nThe club meets every Wednesday evening in the library annex.\n"
    )
    (folder / "docs" / "ferry.txt").write_text(
        "Night ferry returns\n\nThe night ferry to Port Avery returns on 3 May, the harbour "
        "authority said. Tickets cost twelve euros.\n"
    )
    turn = {"question": "When do they meet?", "answers": ["every Wednesday"], "kind": "follow-up"}
    change = {"question": "When does the Port Avery ferry return?", "answers": ["3 May"]}
    conversations = [
        {
            "turns": [
                {
                    "question": "Which cup did the Pellingford chess club win?",
                    "answers": ["county"],
                },
                turn,
                {**change, "kind": "new-subject"},
            ]
        }
    ]
    (folder / "conversations.json").write_text(
        json.dumps({"sources": ["docs"], "conversations": conversations})
    )
    home = tmp_path / "home"
    result = CliRunner().invoke(
        main,
        ["eval", str(folder)],
        env={"ARTICLEQA_HOME": str(home), "ARTICLEQA_EMBEDDING_BACKEND": "fake"},
    )
    assert result.exit_code == 0, result.output
    assert "| follow-ups | 1 |" in result.output
    assert "subject changes dragged back to the old subject: 0.000" in result.output


def test_a_left_out_question_its_partner_answers_is_told_apart(
    tmp_path: Path, settings: Settings
) -> None:
    # A left-out document's question that its partner answers too (wget's NEWS says where the
    # global wgetrc goes, as its README did) is not out of corpus: reported apart.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ferry.txt").write_text(
        "Harbour ferry\n\nThe harbour ferry leaves the north pier every 20 minutes.\n\n"
        "Its skipper, Ann Lee, has sailed it since 1998.\n"
    )
    (docs / "tram.txt").write_text(
        "Harbour tram\n\nLike the harbour ferry, the tram leaves every 20 minutes.\n\n"
        "The tram line opened in May with four stops.\n"
    )
    (tmp_path / "docs.json").write_text(
        json.dumps(
            [
                {"file": f, "format": "txt", "title": f, "licence": "-", "group": "harbour"}
                for f in ("ferry.txt", "tram.txt")
            ]
        )
    )
    (tmp_path / "questions.json").write_text(
        json.dumps(
            [
                {
                    "doc": "ferry.txt",
                    "question": "How often does the harbour ferry leave?",
                    "answers": ["every 20 minutes"],
                },
                {
                    "doc": "ferry.txt",
                    "question": "Since when has Ann Lee skippered the ferry?",
                    "answers": ["1998"],
                },
                {
                    "doc": "tram.txt",
                    "question": "How many stops did the tram line open with?",
                    "answers": ["four stops"],
                },
            ]
        )
    )

    report = evaluate_documents(tmp_path, settings, FakeEmbedder(), with_txtai=False)

    row = report.rows[0]
    assert row.out_answered_right == pytest.approx(1 / 3)
    assert "the other documents answer (a gold answer quoted): 0.333" in format_table(report)
