"""ONNX int8 embedding: one text a run, on workers (the project), against padded batches (before).

Dynamic int8 quantisation scales each run's activations by the range of the whole run, so in
a batch a text's vector depends on its batchmates. The project runs each text alone on a
one-thread session, the cores' worth of texts at a time; before, token-sorted batches of 32
ran on a session of as many intra-op threads as cores. Measured on three kinds of text
(passages of 100-130 words, single sentences, questions) and one question embedded alone (as
``/ask`` does when nobody else asks), the two ways taking turns in one process (median of
``--runs``), and how far a text's vector moves with its batchmates each way (a question
embedded alone, then beside each of ``--probes`` passages: the lowest cosine to its own).

    .venv/bin/python bench/onnx_runs.py [--passages 400] [--runs 3] [--probes 20]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from common import machine, make_passages, median, note, sentence_pool, table

from articleqa.config import Settings
from articleqa.embedding_base import normalize_rows
from articleqa.onnx_embedding import OnnxEmbedder, ensure_export, export_dir

EmbedFunction = Callable[[list[str]], np.ndarray]

QUESTIONS = [
    "Who wrote the harbour ferry story?",
    "What did the council decide about the tram extension?",
    "How many passengers does the ferry carry each summer?",
    "Why did the library close early on Sundays?",
    "When does the new pier open to the public?",
    "Which option makes gzip keep the original file?",
    "What is the default port of the service?",
    "Where does bash keep its command history by default?",
]


def batched(embedder: OnnxEmbedder, threads: int, batch_size: int = 32) -> EmbedFunction:
    """The embedding path before: token-sorted batches padded to their longest text, run on a
    session of ``threads`` intra-op threads."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.force_spinning_stop", "1")
    session = onnxruntime.InferenceSession(
        str(embedder.export.model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    tokenizer: Any = embedder._tokenizer
    pad = int(tokenizer.token_to_id("[PAD]") or 0)

    def run(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        result = np.empty((len(texts), embedder.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), length), pad, dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.int64)
            for row, index in enumerate(rows):
                size = len(encodings[index].ids)
                ids[row, :size] = encodings[index].ids
                mask[row, :size] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            (hidden,) = session.run(None, feeds)
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            result[rows] = normalize_rows(pooled)
        return result

    return run


def one_question_ms(embed: EmbedFunction, repeats: int = 5) -> float:
    """Median time to embed one question alone (as ``/ask`` does when nobody else asks)."""
    times = []
    for _ in range(repeats):
        for question in QUESTIONS:
            started = time.perf_counter()
            embed([question])
            times.append((time.perf_counter() - started) * 1000)
    return median(times)


def lowest_self_cosine(embed: EmbedFunction, texts: Sequence[str], others: Sequence[str]) -> float:
    lowest = 1.0
    for text in texts:
        alone = embed([text])[0]
        for other in others:
            beside = embed([text, other])[0]
            lowest = min(lowest, float(alone @ beside))
    return lowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--probes", type=int, default=20)
    args = parser.parse_args()

    passages = make_passages(args.passages)
    pool, source = sentence_pool()
    sentences = pool[: args.passages * 2]
    questions = QUESTIONS * max(1, args.passages // len(QUESTIONS))
    with tempfile.TemporaryDirectory(prefix="aqa-bench-home-") as tmp:
        settings = Settings(home=Path(tmp), embedding_backend="onnx", _env_file=None)  # type: ignore[call-arg]
        note(f"exporting or reusing the ONNX model under {export_dir(settings)}")
        ensure_export(export_dir(settings))
        embedder = OnnxEmbedder.from_settings(settings)
        ways: dict[str, EmbedFunction] = {
            f"token-sorted batches of 32, {settings.compute_threads} threads a run (before)": (
                batched(embedder, settings.compute_threads)
            ),
            f"one text a run, {settings.compute_threads} at a time (project)": embedder.embed,
        }
        before = next(iter(ways))
        kinds = {"passages": passages, "sentences": sentences, "questions": questions}
        timings: dict[tuple[str, str], list[float]] = {}
        for run in range(args.runs):
            for kind, texts in kinds.items():
                for way, embed in ways.items():
                    started = time.perf_counter()
                    embed(texts)
                    elapsed = time.perf_counter() - started
                    timings.setdefault((kind, way), []).append(elapsed * 1000 / len(texts))
                    note(f"run {run + 1} {kind} {way}: {elapsed:.2f} s")
            for way, embed in ways.items():
                timings.setdefault(("one question alone", way), []).append(one_question_ms(embed))
        probes = passages[: args.probes]
        drift = {way: lowest_self_cosine(embed, QUESTIONS, probes) for way, embed in ways.items()}
    rows = []
    for kind in [*kinds, "one question alone"]:
        base = median(timings[(kind, before)])
        for way in ways:
            each = timings[(kind, way)]
            rows.append(
                (
                    kind,
                    way,
                    f"{median(each):.2f}",
                    " / ".join(f"{t:.2f}" for t in each),
                    f"{median(each) / base:.2f}x",
                )
            )
    print(f"machine: {machine()}; sentences from {source}")
    print(table(["texts", "way", "ms a text (median)", "each run", "vs batches"], rows))
    print()
    print(
        table(
            ["way", f"lowest cosine of a question to itself beside one of {args.probes} passages"],
            [(way, f"{value:.4f}") for way, value in drift.items()],
        )
    )


if __name__ == "__main__":
    main()
