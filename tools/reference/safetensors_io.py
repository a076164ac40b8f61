"""Reads and writes the safetensors format by hand (no `safetensors` package needed).

File layout: an 8-byte little-endian unsigned header length N, then N bytes of JSON
(`{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}`,
padded with spaces so the data starts on an 8-byte boundary), then the raw little-endian
tensor data; offsets are relative to the start of the data section.

Only the dtypes Llama-family checkpoints use are supported: F32, F16, BF16 (and F64 for
completeness). Tensors come back as torch tensors in their stored dtype.
"""

import json
import os
import struct

import numpy as np
import torch

_NUMPY_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16}
_DTYPE_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def _to_bytes(tensor):
    """Little-endian raw bytes of a contiguous tensor in its own dtype."""
    t = tensor.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the 16-bit patterns as int16 (same bytes).
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(np.dtype(t.numpy().dtype).newbyteorder("<")).tobytes()


def save(path, tensors, metadata=None):
    """Writes an ordered mapping name -> torch tensor (F64/F32/F16/BF16) to `path`."""
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _DTYPE_NAMES:
            raise ValueError(f"{name}: dtype {tensor.dtype} is not supported")
        data = _to_bytes(tensor)
        header[name] = {
            "dtype": _DTYPE_NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)


def load(path):
    """Reads one .safetensors file into a dict name -> torch tensor (stored dtype)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = memoryview(raw)[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        shape = info["shape"]
        dtype = info["dtype"]
        buf = data[begin:end]
        if dtype == "BF16":
            bits = np.frombuffer(buf, dtype="<i2").copy()
            t = torch.from_numpy(bits).view(torch.bfloat16)
        elif dtype in _NUMPY_DTYPES:
            arr = np.frombuffer(buf, dtype=np.dtype(_NUMPY_DTYPES[dtype]).newbyteorder("<")).copy()
            t = torch.from_numpy(arr.astype(_NUMPY_DTYPES[dtype]))
        else:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {dtype}")
        tensors[name] = t.reshape(shape)
    return tensors


def load_model_weights(model_dir):
    """All tensors of a Hugging Face model directory: model.safetensors or a sharded index."""
    single = os.path.join(model_dir, "model.safetensors")
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(single):
        return load(single)
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        tensors = {}
        for shard in sorted(set(weight_map.values())):
            for name, t in load(os.path.join(model_dir, shard)).items():
                if weight_map.get(name) != shard:
                    raise ValueError(f"{shard}: tensor {name} is not listed for this shard in the index")
                tensors[name] = t
        missing = set(weight_map) - set(tensors)
        if missing:
            raise ValueError(f"{index}: tensors listed but not found in shards: {sorted(missing)[:5]}")
        return tensors
    raise FileNotFoundError(f"{model_dir}: neither model.safetensors nor model.safetensors.index.json")
