"""Indexing throughput: the project's embedding path against plain ``SentenceTransformer.encode``.

Same passages, same process, runs interleaved so that load from other processes hits every
path alike; median of ``--runs``. The indexer rows go through ``Indexer._embedded`` with an
empty embedding cache in a temporary home (tokenise, embed, cache writes).
Also: one short query's latency, and cosine of each path's vectors to fp32 ``encode``.

    .venv/bin/python bench/index_throughput.py [--passages 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np
from common import dev_paragraphs, machine, make_passages, median, note, sentence_pool, table

from articleqa.config import Settings
from articleqa.embedding import Embedder, SentenceTransformerEmbedder, bundled_model_path
from articleqa.indexer import Indexer
from articleqa.onnx_embedding import OnnxEmbedder, ensure_export, export_dir
from articleqa.store import ArticleStore

QUERY = "What did the council decide about the tram extension?"


def indexer_path(embedder: Embedder, settings: Settings) -> Callable[[list[str]], np.ndarray]:
    def run(texts: list[str]) -> np.ndarray:
        with tempfile.TemporaryDirectory(prefix="aqa-bench-") as tmp:
            home = Path(tmp)
            indexer = Indexer(
                settings.model_copy(update={"home": home}), ArticleStore(home), embedder
            )
            [vectors], embedded = indexer._embedded([(texts, np.dtype(np.float32), None)], None)
            assert vectors is not None and len(embedded) == len(texts), "the cache starts empty"
            return vectors

    return run


def query_ms(embed: Callable[[list[str]], np.ndarray], repeats: int = 30) -> float:
    embed([QUERY])
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        embed([QUERY])
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    texts = make_passages(args.passages)
    _, source = sentence_pool()
    with tempfile.TemporaryDirectory(prefix="aqa-bench-home-") as tmp:
        settings = Settings(home=Path(tmp), embedding_backend="onnx", _env_file=None)  # type: ignore[call-arg]
        note(f"exporting or reusing the ONNX model under {export_dir(settings)}")
        ensure_export(export_dir(settings))
        threads = settings.compute_threads
        plain = SentenceTransformer(str(bundled_model_path()), device="cpu", local_files_only=True)
        torch_sorted = SentenceTransformerEmbedder(
            threads=threads, batch_size=settings.embed_batch_size
        )
        onnx_int8 = OnnxEmbedder.from_settings(settings)

        def plain_encode(batch: list[str]) -> np.ndarray:
            return np.asarray(
                plain.encode(batch, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
            )

        paths: dict[str, Callable[[list[str]], np.ndarray]] = {
            "plain `SentenceTransformer.encode` (torch fp32, batch 32)": plain_encode,
            "indexer, torch fp32, token-sorted batches": indexer_path(torch_sorted, settings),
            "indexer, ONNX Runtime int8, one text a run on each core (project)": indexer_path(
                onnx_int8, settings
            ),
        }
        # A query is embedded without the indexer's cache and temporary home.
        query_paths = dict(
            zip(paths, [plain_encode, torch_sorted.embed, onnx_int8.embed], strict=True)
        )
        seconds: dict[str, list[float]] = {name: [] for name in paths}
        vectors: dict[str, np.ndarray] = {}
        for run in range(args.runs):
            for name, embed in paths.items():
                note(f"run {run + 1}/{args.runs}: {name}")
                started = time.perf_counter()
                vectors[name] = embed(texts)
                seconds[name].append(time.perf_counter() - started)
                note(f"  {len(texts) / seconds[name][-1]:.1f} passages/s")

        dev = dev_paragraphs()
        dev_cosine = cosine(onnx_int8.embed(dev), plain_encode(dev)) if dev else None
        baseline_name = next(iter(paths))
        baseline = vectors[baseline_name]
        baseline_rate = len(texts) / median(seconds[baseline_name])
        rows = []
        for name, embed in query_paths.items():
            rate = len(texts) / median(seconds[name])
            similarity = cosine(vectors[name], baseline)
            rows.append(
                [
                    name,
                    f"{rate:.1f}",
                    f"{rate / baseline_rate:.2f}x",
                    " / ".join(f"{len(texts) / s:.1f}" for s in seconds[name]),
                    f"{query_ms(embed):.1f} ms",
                    f"{similarity.mean():.4f} / {similarity.min():.4f}",
                ]
            )

    print(f"## Indexing throughput ({len(texts)} passages of 100-130 words; {source})\n")
    print(f"Machine: {machine()}; {threads} compute threads; median of {args.runs} runs.\n")
    print(
        table(
            [
                "path",
                "passages/s",
                "vs plain encode",
                "each run",
                "one query",
                "cosine vs fp32 (mean / min)",
            ],
            rows,
        )
    )
    if dev_cosine is not None:
        print(
            f"\nONNX int8 vs fp32 `encode` on the {len(dev)} SQuAD dev-sample paragraphs: "
            f"mean cosine {dev_cosine.mean():.4f}, min {dev_cosine.min():.4f}."
        )


if __name__ == "__main__":
    main()
