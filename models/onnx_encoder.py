"""Serve a sentence-transformers BERT model through ONNX Runtime: no torch in the serving path.

`export_onnx(st_dir, out_dir)` (needs torch, at training time) writes:
  model.onnx        fp32 graph: input_ids, attention_mask -> mean-pooled, L2-normalised embeddings
  model_int8.onnx   the same with dynamic int8 weights, per-channel scales (onnxruntime.quantization)
  tokenizer.json    the model's `tokenizers` pipeline
  encoder.json      prompts, max length, dim, a content id per graph (sha256 of the file) and `serve`: the graph
                    a folder loads by default (`choose_graph` sets it from a held-out dev measurement)

`OnnxEncoder(path)` (needs only onnxruntime + tokenizers) loads a folder (its `serve` graph) or one `.onnx`
file in such a folder. Its `id` includes the graph's content hash, so retraining into the same folder can never
serve cached embeddings of the old model.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexes.storage import sha256_file

from .base import BatchEncoder, Kind, MissingDependencyError, Vectors, check_texts

log = logging.getLogger(__name__)

FP32, INT8 = "model.onnx", "model_int8.onnx"
OUTPUT = "sentence_embedding"  # not "embedding": the exporter already names a node that
SERVE_MAX_LENGTH = 256  # tokens at serving time; training truncates shorter, but posting texts run ~60-150
META = "encoder.json"


def export_onnx(st_dir: Path, out_dir: Path, quantize: bool = True, name: str | None = None) -> Path:
    """Export a (BERT + mean pooling + normalise) sentence-transformers model to ONNX, fp32 and int8."""
    import torch
    from sentence_transformers import SentenceTransformer

    st_dir, out_dir = Path(st_dir), Path(out_dir)
    model = SentenceTransformer(str(st_dir), device="cpu")
    bert = model.transformers_model
    if bert is None:
        raise ValueError(f"{st_dir}: not a transformers-based sentence-transformers model")
    bert.train(False)  # eval mode (transformers' own `eval` override is untyped)
    dim = model.get_embedding_dimension()
    if dim is None:
        raise ValueError(f"{st_dir}: the model does not state its embedding dimension")

    class Pooled(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    out_dir.mkdir(parents=True, exist_ok=True)
    sample = model.tokenize(["query: 数控车工", "passage: 操作数控车床加工零件"])
    args = (sample["input_ids"], sample["attention_mask"])
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq", max=512)
    with torch.no_grad():
        torch.onnx.export(
            Pooled(bert),
            args,
            str(out_dir / FP32),
            input_names=["input_ids", "attention_mask"],
            output_names=[OUTPUT],
            dynamo=True,
            opset_version=18,
            external_data=False,
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
        )
    graphs = {FP32: sha256_file(out_dir / FP32)}
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        root = logging.getLogger()
        level, root.level = root.level, logging.WARNING  # the quantiser logs every tensor at INFO
        try:
            # per-channel scales: cosine with fp32 min 0.96 / mean 0.98 on 600 CSCO texts, vs 0.85 / 0.94 per tensor
            quantize_dynamic(str(out_dir / FP32), str(out_dir / INT8), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        graphs[INT8] = sha256_file(out_dir / INT8)
    model.tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    meta = {
        "name": name or (st_dir.parent.name if st_dir.name == "st" else st_dir.name),
        "dim": int(dim),
        "max_length": SERVE_MAX_LENGTH,
        "prompts": {k: v for k, v in (model.prompts or {}).items() if k in ("query", "passage")},
        "graphs": graphs,
        "serve": FP32,
    }
    (out_dir / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir


class OnnxEncoder(BatchEncoder):
    """ONNX Runtime + `tokenizers`; texts are sorted by length so each batch pads little."""

    def __init__(self, path: str | Path, threads: int | None = None, max_length: int | None = None) -> None:
        super().__init__()
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingDependencyError(
                f"onnx encoders need onnxruntime and tokenizers ({exc}); pip install onnxruntime tokenizers"
            ) from exc
        path = Path(path)
        folder = path.parent if path.suffix == ".onnx" else path
        meta_file = folder / META
        if not meta_file.is_file():
            raise FileNotFoundError(
                f"no ONNX encoder at {path} (expected {META} beside the graph); "
                "train one with `make model` / python -m models.finetune"
            )
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        graph = path if path.suffix == ".onnx" else folder / meta.get("serve", FP32)
        if not graph.is_file():
            raise FileNotFoundError(f"no ONNX graph {graph}; train one with `make model` / python -m models.finetune")
        digest = meta.get("graphs", {}).get(graph.name) or sha256_file(graph)
        self.id = f"onnx:{meta.get('name', folder.name)}/{graph.stem}@{digest[:12]}"
        self.dim = int(meta["dim"])
        self._prompts: dict[str, str] = meta.get("prompts", {})
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("MATCHER_ONNX_THREADS", 0)) or (os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length or int(meta.get("max_length", 512)))
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("<pad>") or 0, pad_token="<pad>")
        log.info("loaded %s", self.id)

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        items = check_texts(texts)
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        out = super().encode([items[i] for i in order], kind, batch_size)
        result = np.empty_like(out)
        result[order] = out  # back to input order
        return result

    def _encode_batch(self, texts: list[str], kind: Kind) -> npt.NDArray[np.float32]:
        prefix = self._prompts.get(kind, "")
        encs = self._tokenizer.encode_batch([prefix + t for t in texts])
        ids = np.asarray([e.ids for e in encs], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encs], dtype=np.int64)
        return np.asarray(self._session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask})[0], dtype=np.float32)


def choose_graph(
    folder: Path, queries: Sequence[str], corpus: Sequence[str], gold: Sequence[int], tolerance: float = 0.005
) -> dict[str, Any]:
    """Serve int8 unless it loses more than `tolerance` dev MRR@10 against fp32 (it is ~2x faster).

    `queries[i]`'s relevant document is `corpus[gold[i]]`: a held-out dev split, never a test set.
    Records the measurement and the choice in encoder.json."""
    folder = Path(folder)
    mrr: dict[str, float] = {}
    for graph in (FP32, INT8):
        if not (folder / graph).is_file():
            continue
        enc = OnnxEncoder(folder / graph)
        scores = enc.encode(list(queries), kind="query") @ enc.encode(list(corpus), kind="passage").T
        gold_scores = scores[np.arange(len(gold)), np.asarray(gold)]
        ranks = (scores > gold_scores[:, None]).sum(axis=1) + 1
        mrr[graph] = float(np.mean(np.where(ranks <= 10, 1.0 / ranks, 0.0)))
    serve = INT8 if INT8 in mrr and mrr[INT8] >= mrr[FP32] - tolerance else FP32
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    meta.update(
        serve=serve,
        dev_mrr_at_10={k: round(v, 4) for k, v in mrr.items()},
        serve_rule=(f"int8 if its dev MRR@10 >= fp32's - {tolerance}"),
    )
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("dev MRR@10 %s -> serving %s", mrr, serve)
    return {"serve": serve, "dev_mrr_at_10": mrr}
