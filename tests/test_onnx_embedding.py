"""The ONNX int8 embedder: close to the torch model, order-preserving, cached export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from articleqa import onnx_embedding
from articleqa.cli.main import main
from articleqa.config import Settings
from articleqa.embedding import Embedder, load_embedder
from articleqa.onnx_embedding import (
    EXPORT_FOLDER,
    MANIFEST_FILE,
    MODEL_FILE,
    OnnxEmbedder,
    OnnxExport,
    OnnxExportError,
    ensure_export,
    export_dir,
    read_valid_export,
    source_fingerprint,
)

pytestmark = pytest.mark.model

SENTENCES = [
    "What did Putin ask Musk about Taiwan?",
    "The storm flooded the lower town overnight and residents were evacuated by boat.",
    "Rovers won the league title after a late goal in the final match of the season.",
    "Hospital waiting times for the heart unit fell by a third this year.",
    "A science fair robot that samples river water won first prize.",
]
MIXED = [
    "Short one.",
    " ".join(["The harbour line tram extension opens next spring, the council said."] * 12),
    "Medium length text about the maritime museum reopening after repairs to its roof.",
    "Tiny",
    " ".join(["Flood water rose quickly in the lower town."] * 5),
    "x " * 400,  # longer than the model's 256 tokens: truncated, not an error
]


@pytest.fixture(scope="session")
def onnx_export(tmp_path_factory: pytest.TempPathFactory) -> OnnxExport:
    return ensure_export(tmp_path_factory.mktemp("onnx") / EXPORT_FOLDER)


@pytest.fixture(scope="session")
def onnx_embedder(onnx_export: OnnxExport) -> OnnxEmbedder:
    return OnnxEmbedder(onnx_export, threads=1)


def test_matches_the_torch_model_per_text(
    onnx_embedder: OnnxEmbedder, real_embedder: Embedder
) -> None:
    onnx_vectors = onnx_embedder.embed(SENTENCES)
    torch_vectors = real_embedder.embed(SENTENCES)
    cosines = np.einsum("ij,ij->i", onnx_vectors, torch_vectors)
    assert onnx_vectors.shape == (len(SENTENCES), 384)
    assert onnx_vectors.dtype == np.float32
    assert np.all(cosines >= 0.98), cosines
    assert onnx_embedder.dimension == 384
    assert onnx_embedder.name == "all-MiniLM-L6-v2/onnx-int8"


def test_rows_are_unit_length(onnx_embedder: OnnxEmbedder) -> None:
    norms = np.linalg.norm(onnx_embedder.embed(MIXED), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_text_s_vector_is_its_own_whatever_it_is_embedded_beside(
    onnx_export: OnnxExport, threads: int
) -> None:
    # Dynamic quantisation scales a run's activations by the whole run's range: embedded in
    # batches, a question's vector moved with the questions asked at the same moment (cosine
    # 0.992 to its own), and so could its answer. Texts run side by side on two workers keep
    # their rows.
    embedder = OnnxEmbedder(onnx_export, threads=threads)
    alone = np.vstack([embedder.embed([text]) for text in MIXED])
    together = embedder.embed(MIXED * 3)
    reversed_together = embedder.embed(MIXED[::-1])[::-1]

    np.testing.assert_array_equal(together, np.vstack([alone] * 3))
    np.testing.assert_array_equal(reversed_together, alone)


def test_texts_are_truncated_at_the_model_maximum(onnx_embedder: OnnxEmbedder) -> None:
    assert onnx_embedder.token_counts(["x " * 400, "Short one."]) == [256, 5]


def test_empty_input(onnx_embedder: OnnxEmbedder) -> None:
    vectors = onnx_embedder.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_torch_token_sorted_batches_keep_order(real_embedder: Embedder) -> None:
    together = real_embedder.embed(MIXED)
    alone = np.vstack([real_embedder.embed([text]) for text in MIXED])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_valid_export_is_reused(onnx_export: OnnxExport, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_export(*args: object) -> OnnxExport:
        raise AssertionError("a valid export was exported again")

    monkeypatch.setattr(onnx_embedding, "_export", must_not_export)
    again = ensure_export(onnx_export.folder)
    assert again.manifest == onnx_export.manifest


def test_manifest_records_source_and_recipe(onnx_export: OnnxExport) -> None:
    from articleqa.embedding import bundled_model_path

    manifest = json.loads((onnx_export.folder / MANIFEST_FILE).read_text())
    assert manifest["source_sha256"] == source_fingerprint(bundled_model_path())
    assert manifest["opset"] == 17
    assert manifest["quantization"]["weight_type"] == "QInt8"
    assert manifest["quantization"]["per_channel"] is True
    assert manifest["quantization"]["reduce_range"] is True


def _copy(export: OnnxExport, target: Path) -> Path:
    shutil.copytree(export.folder, target, ignore=shutil.ignore_patterns(".*"))
    return target


def test_stale_or_damaged_exports_are_rejected(onnx_export: OnnxExport, tmp_path: Path) -> None:
    source_hash = onnx_export.manifest["source_sha256"]
    intact = _copy(onnx_export, tmp_path / "intact")
    assert read_valid_export(intact, source_hash) is not None
    assert read_valid_export(intact, None) is not None, "without a source the export is trusted"
    assert read_valid_export(intact, "another-model") is None

    stale = _copy(onnx_export, tmp_path / "stale")
    manifest = json.loads((stale / MANIFEST_FILE).read_text())
    manifest["opset"] = 13
    (stale / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert read_valid_export(stale, source_hash) is None

    truncated = _copy(onnx_export, tmp_path / "truncated")
    with open(truncated / MODEL_FILE, "r+b") as handle:
        handle.truncate(1000)
    assert read_valid_export(truncated, source_hash) is None

    half_written = _copy(onnx_export, tmp_path / "half")
    (half_written / MANIFEST_FILE).unlink()
    assert read_valid_export(half_written, source_hash) is None


def test_missing_export_without_source_model_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_embedding, "_bundled_or_none", lambda: None)
    with pytest.raises(OnnxExportError, match="no usable ONNX export"):
        ensure_export(tmp_path / "empty")


def test_failed_export_leaves_no_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_quantizer(source: Path, target: Path) -> None:
        raise RuntimeError("quantizer crashed")

    monkeypatch.setattr(
        onnx_embedding, "_export_fp32", lambda source, target: target.write_bytes(b"x")
    )
    monkeypatch.setattr(onnx_embedding, "_quantize", broken_quantizer)
    folder = tmp_path / "export"
    with pytest.raises(OnnxExportError, match="quantizer crashed"):
        ensure_export(folder)
    assert not (folder / MANIFEST_FILE).exists()
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".export")] == []


def test_settings_select_the_onnx_backend(onnx_export: OnnxExport, home: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        home=home,
        embedding_backend="onnx",
        onnx_dir=onnx_export.folder.parent,
        _env_file=None,
    )
    assert export_dir(settings) == onnx_export.folder
    embedder = load_embedder(settings)
    assert isinstance(embedder, OnnxEmbedder)
    assert embedder.export.folder == onnx_export.folder
    default = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    assert export_dir(default) == home / "models" / EXPORT_FOLDER


def test_cli_reports_a_ready_export(onnx_export: OnnxExport, home: Path) -> None:
    result = CliRunner().invoke(
        main, ["--home", str(home), "export-onnx", "--dir", str(onnx_export.folder.parent)]
    )
    assert result.exit_code == 0, result.output
    assert str(onnx_export.model_path) in result.output


def test_embedding_from_an_export_needs_no_torch(onnx_export: OnnxExport) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from articleqa.onnx_embedding import OnnxEmbedder, ensure_export\n"
        f"export = ensure_export(Path({str(onnx_export.folder)!r}))\n"
        "vectors = OnnxEmbedder(export, threads=1).embed(['a question', 'another text'])\n"
        "assert vectors.shape == (2, 384), vectors.shape\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
