"""all-MiniLM-L6-v2 as a dynamically quantised (int8) ONNX model run by ONNX Runtime.

The bundled sentence-transformers model is exported once (``torch.onnx.export``) and
quantised (``onnxruntime.quantization.quantize_dynamic``) into a cache folder with a
manifest; after that, embedding needs only ``onnxruntime`` and ``tokenizers``: torch is
imported by the export alone. On the 2-core benchmark machine this is about twice the
throughput of plain ``SentenceTransformer.encode`` at a mean cosine of 0.99 to fp32
(see BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import threading
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from articleqa.config import Settings
from articleqa.embedding_base import (
    MAX_SEQ_LENGTH,
    MODEL_NAME,
    bundled_model_path,
    normalize_rows,
)
from articleqa.errors import ArticleQAError
from articleqa.hashing import file_sha256
from articleqa.paths import onnx_base

logger = logging.getLogger(__name__)

# Bump when the export or quantisation recipe changes: older caches are then redone.
EXPORT_FORMAT = 1
OPSET = 17
QUANTIZATION = {
    "method": "quantize_dynamic",
    "weight_type": "QInt8",
    "per_channel": True,
    "reduce_range": True,
}
EXPORT_FOLDER = f"{MODEL_NAME}-onnx-int8"
MODEL_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = ".export.lock"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


class OnnxExportError(ArticleQAError):
    """The ONNX model could not be exported, or an export on disk cannot be used."""

    code = "onnx_export_failed"
    http_status = 503


@dataclass(frozen=True, slots=True)
class OnnxExport:
    folder: Path
    manifest: dict[str, Any]

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def tokenizer_path(self) -> Path:
        return self.folder / TOKENIZER_FILE


def export_dir(settings: Settings, folder: Path | None = None) -> Path:
    """Where the exported model lives: ``folder`` if given, else ``ARTICLEQA_ONNX_DIR`` or
    ``<home>/models``."""
    return onnx_base(settings.home, folder or settings.onnx_dir) / EXPORT_FOLDER


def source_fingerprint(model_path: Path) -> str:
    """Hash of the files that determine the exported graph and its tokenisation."""
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        path = model_path / name
        if not path.is_file():
            raise OnnxExportError(f"the embedding model at {model_path} has no {name}")
        digest.update(name.encode())
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def _expected_manifest(source_hash: str | None) -> dict[str, Any]:
    expected: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "opset": OPSET,
        "quantization": QUANTIZATION,
        "max_seq_length": MAX_SEQ_LENGTH,
    }
    if source_hash is not None:
        expected["source_sha256"] = source_hash
    return expected


def read_valid_export(folder: Path, source_hash: str | None) -> OnnxExport | None:
    """The export in ``folder`` if it is complete and made from this model by this recipe.

    ``source_hash=None`` trusts the export's source (a slim image may ship the export
    without the original weights).
    """
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    for key, value in _expected_manifest(source_hash).items():
        if manifest.get(key) != value:
            logger.info("ONNX export in %s is stale (%s differs)", folder, key)
            return None
    for name, checksum in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != checksum:
            logger.warning("ONNX export in %s has a missing or damaged %s", folder, name)
            return None
    if not manifest.get("files"):
        return None
    return OnnxExport(folder, manifest)


@contextlib.contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    """Serialise exports: an API and an indexer starting together export once, not twice."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_export(folder: Path, model_path: Path | None = None, force: bool = False) -> OnnxExport:
    """Return a valid export in ``folder``, exporting and quantising first if needed."""
    source = model_path or _bundled_or_none()
    source_hash = source_fingerprint(source) if source is not None else None
    if not force:
        found = read_valid_export(folder, source_hash)
        if found is not None:
            return found
    if source is None:
        raise OnnxExportError(
            f"no usable ONNX export in {folder} and no source model to export it from"
        )
    with _export_lock(folder):
        # Another process may have finished the export while this one waited for the lock.
        if not force:
            found = read_valid_export(folder, source_hash)
            if found is not None:
                return found
        assert source_hash is not None
        return _export(folder, source, source_hash)


def _bundled_or_none() -> Path | None:
    try:
        return bundled_model_path()
    except ImportError:
        return None


def _export(folder: Path, source: Path, source_hash: str) -> OnnxExport:
    # INFO, not WARNING: it is expected once per model, and `--quiet` must stay quiet.
    logger.info("exporting %s to ONNX int8 in %s (once; takes about a minute)", source, folder)
    staging = folder / f".staging-{os.getpid()}-{secrets.token_hex(3)}"
    staging.mkdir(parents=True)
    try:
        fp32_path = staging / "model.fp32.onnx"
        _export_fp32(source, fp32_path)
        _quantize(fp32_path, staging / MODEL_FILE)
        fp32_path.unlink()
        shutil.copyfile(source / "tokenizer.json", staging / TOKENIZER_FILE)
        manifest = {
            **_expected_manifest(source_hash),
            "model": MODEL_NAME,
            "source": str(source),
            "files": {name: file_sha256(staging / name) for name in (MODEL_FILE, TOKENIZER_FILE)},
        }
        # The old manifest goes first so that a crash between the file moves below never
        # leaves a manifest vouching for files it does not describe.
        (folder / MANIFEST_FILE).unlink(missing_ok=True)
        for name in (MODEL_FILE, TOKENIZER_FILE):
            with open(staging / name, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(staging / name, folder / name)
        manifest_tmp = staging / MANIFEST_FILE
        with open(manifest_tmp, "w") as handle:
            json.dump(manifest, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(manifest_tmp, folder / MANIFEST_FILE)
    except OnnxExportError:
        raise
    except Exception as exc:
        raise OnnxExportError(f"exporting the ONNX model failed: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return OnnxExport(folder, manifest)


def _export_fp32(source: Path, target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    )
    model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            output = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            hidden: torch.Tensor = output.last_hidden_state
            return hidden

    sample = torch.ones((2, 16), dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    # The tracer warns about a mask-padding branch that an encoder never takes (key length
    # always equals mask length) and about index ops with negative indices it does not use.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(model),
            (sample, sample, torch.zeros_like(sample)),
            str(target),
            input_names=list(INPUT_NAMES),
            output_names=["last_hidden_state"],
            dynamic_axes={**{name: axes for name in INPUT_NAMES}, "last_hidden_state": axes},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser logs advice about pre-processing on the root logger; the recipe below was
    # measured without it (BENCHMARKS.md), so for our users the advice is only noise.
    root = logging.getLogger()
    advice = _DropMessage("pre-processing before quantization")
    root.addFilter(advice)
    try:
        # reduce_range keeps int8 products clear of the saturation AVX2 (no VNNI) hits with
        # the full range; the defaults lose about 5 points of cosine on this model.
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
            # Without a default tensor type the quantiser cannot type the exported graph.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.removeFilter(advice)


class _DropMessage(logging.Filter):
    """Drops log records whose message contains ``fragment``."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


class OnnxEmbedder:
    """Embeds with ONNX Runtime: one text a run, mean pooling, unit length.

    Dynamic int8 quantisation scales a run's activations by the range of the whole run, so a
    text run in a batch got a vector that depended on its batchmates (cosine 0.990-0.995 to
    its own): a question's answer moved with whoever asked at the same moment, and a passage's
    vector with the passages indexed beside it. Each text is therefore run alone, on one
    thread, and ``threads`` texts at a time: faster than padded batches on two threads, which
    parallelise a run's small matrices poorly (BENCHMARKS.md, "One text a run")."""

    def __init__(self, export: OnnxExport, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # A run is thread-safe and releases the GIL: texts run side by side on the workers.
        self._workers = threads or os.cpu_count() or 1
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._session = onnxruntime.InferenceSession(
            str(export.model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(export.tokenizer_path))
        # The shipped tokenizer.json pads and truncates at 128; the model reads up to 256, and
        # a text run alone needs no padding.
        tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._dimension = int(self._session.get_outputs()[0].shape[-1] or 384)
        self.export = export
        logger.info(
            "loaded ONNX int8 embedder from %s (%d texts at a time)", export.folder, self._workers
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OnnxEmbedder:
        export = ensure_export(export_dir(settings), settings.model_path)
        return cls(export, threads=settings.compute_threads)

    @property
    def name(self) -> str:
        return f"{MODEL_NAME}/onnx-int8"

    @property
    def dimension(self) -> int:
        return self._dimension

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Each text's vector, computed from that text alone."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        if len(encodings) == 1 or self._workers == 1:
            vectors: Iterator[np.ndarray] = map(self._embed_one, encodings)
        else:
            vectors = self._worker_pool().map(self._embed_one, encodings)
        result = np.empty((len(texts), self._dimension), dtype=np.float32)
        bar = _progress_bar(len(texts)) if progress else None
        try:
            for row, vector in enumerate(vectors):
                result[row] = vector
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return result

    def _worker_pool(self) -> ThreadPoolExecutor:
        """The workers, made on first use (the server's batcher and a rebuild may both embed
        at once: one pool for both)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="onnx-embed")
            return self._pool

    def _embed_one(self, encoding: Any) -> np.ndarray:
        ids = np.asarray([encoding.ids], dtype=np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.asarray([encoding.type_ids], dtype=np.int64),
        }
        (hidden,) = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})
        return normalize_rows(hidden.mean(axis=1))[0]


def _progress_bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="text", desc="embedding")
