"""Generates the golden model directories under core/src/test/resources/golden/<case>/.

Each case is a tiny random model (config.json + model.safetensors, Hugging Face names) and an
expected.json with a 3-row batch (one full row, one left-padded, one right-padded) and the
outputs the reference in llama_ref.py computes for it in float64. See README.md for the schema.

Run from the repository root with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_golden.py
Deterministic: every case seeds torch.manual_seed with its own seed, so cases do not depend on
each other or on their order. Regenerate only on purpose and say why in the commit.
"""

import json
import math
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_reference  # noqa: E402
import llama_ref  # noqa: E402
import safetensors_io  # noqa: E402

GOLDEN_DIR = os.path.join(HERE, "..", "..", "core", "src", "test", "resources", "golden")
PRECISION = torch.float64
SIGNIFICANT_DIGITS = 7

# Weight scales: large enough that every component (norm gains, biases, RoPE, head mapping)
# moves the logits visibly, small enough that attention is neither uniform nor one-hot.
WEIGHT_STD = 0.2
BIAS_STD = 0.2
EMBED_STD = 0.3


def case(name, seed, seq_len, storage="F32", **config):
    return {"name": name, "seed": seed, "seq_len": seq_len, "storage": storage, "config": config}


def model_config(model_type="llama", arch="LlamaForCausalLM", **overrides):
    """A config.json dict in transformers' style with the keys every case carries."""
    cfg = {
        "architectures": [arch],
        "model_type": model_type,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "head_dim": None,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "max_position_embeddings": 64,
        "vocab_size": 96,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": None,
        "torch_dtype": "float32",
        "hidden_act": "silu",
    }
    if model_type != "llama":
        # Qwen2 and Mistral configs have no attention_bias key: their bias layout is fixed
        # (Qwen2: q/k/v bias, no o bias; Mistral: none).
        del cfg["attention_bias"]
    cfg.update(overrides)
    if cfg["head_dim"] is None:
        cfg["head_dim"] = cfg["hidden_size"] // cfg["num_attention_heads"]
    return cfg


CASES = [
    # Multi-head attention, LM head tied to the embedding (no lm_head.weight in the file),
    # vocabulary of the toolkit's byte tokenizer (259).
    case("llama_mha", 101, 12, **model_config(
        vocab_size=259, tie_word_embeddings=True, bos_token_id=256, eos_token_id=257)),
    # Grouped-query attention, 4 query heads over 2 kv heads, untied head, head_dim 12.
    case("llama_gqa", 102, 11, **model_config(
        hidden_size=48, intermediate_size=96, num_key_value_heads=2)),
    # Multi-query attention (one kv head); a large rms_norm_eps so that eps measurably matters.
    case("llama_mqa", 103, 10, **model_config(
        num_key_value_heads=1, rms_norm_eps=0.01, vocab_size=80)),
    # attention_bias: bias on q, k, v AND o.
    case("llama_bias", 104, 10, **model_config(
        num_key_value_heads=2, attention_bias=True, vocab_size=72)),
    # Llama 3.1 RoPE: theta 5e5 plus llama3 scaling with original context 8, so every frequency
    # is rescaled (the highest one by interpolation) at the tested positions 0..11; head_dim 12
    # differs from hidden/heads = 8, so q_proj is [48, 32] and o_proj [32, 48].
    case("llama3_rope_scaling", 105, 12, **model_config(
        num_key_value_heads=2, head_dim=12, rope_theta=500000.0, vocab_size=100,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8},
        bos_token_id=98, eos_token_id=[99, 97])),
    # Qwen2: q/k/v bias always, no o bias; sliding window off as in released Qwen2 configs.
    case("qwen2_gqa_bias", 106, 10, **model_config(
        "qwen2", "Qwen2ForCausalLM", num_key_value_heads=2, rms_norm_eps=1e-6,
        rope_theta=1000000.0, vocab_size=259, bos_token_id=256, eos_token_id=257,
        use_sliding_window=False, sliding_window=32, max_window_layers=2)),
    # Mistral: no bias, sliding window larger than the sequence (so it must not change anything).
    case("mistral", 107, 10, **model_config(
        "mistral", "MistralForCausalLM", num_key_value_heads=2, rms_norm_eps=1e-5,
        vocab_size=64, sliding_window=16)),
    # Weights stored as BF16; expected values use the BF16 values exactly (upcast).
    case("llama_bf16", 108, 10, storage="BF16", **model_config(
        num_key_value_heads=2, vocab_size=259, torch_dtype="bfloat16",
        bos_token_id=256, eos_token_id=257)),
    # Weights stored as F16.
    case("llama_f16", 109, 10, storage="F16", **model_config(
        vocab_size=128, torch_dtype="float16")),
    # Reward-model head: score.weight [1, D] at the last real token; pad_token_id 0 (never used
    # as a real token here). num_labels and id2label/label2id both present.
    case("llama_seqcls", 110, 10, **model_config(
        arch="LlamaForSequenceClassification", num_key_value_heads=2, vocab_size=100,
        pad_token_id=0, num_labels=1, id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0})),
]

STORAGE_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def random_weights(cfg):
    """Float32 weights in the order transformers writes them; norm gains around 1."""
    d, f = cfg.hidden_size, cfg.intermediate_size
    q, kv = cfg.num_attention_heads * cfg.head_dim, cfg.num_key_value_heads * cfg.head_dim

    def normal(*shape, std=WEIGHT_STD):
        return torch.randn(*shape) * std

    def gain():
        return torch.rand(d) + 0.5  # uniform in [0.5, 1.5)

    w = {"model.embed_tokens.weight": normal(cfg.vocab_size, d, std=EMBED_STD)}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = gain()
        w[p + "self_attn.q_proj.weight"] = normal(q, d)
        w[p + "self_attn.k_proj.weight"] = normal(kv, d)
        w[p + "self_attn.v_proj.weight"] = normal(kv, d)
        if cfg.qkv_bias:
            w[p + "self_attn.q_proj.bias"] = normal(q, std=BIAS_STD)
            w[p + "self_attn.k_proj.bias"] = normal(kv, std=BIAS_STD)
            w[p + "self_attn.v_proj.bias"] = normal(kv, std=BIAS_STD)
        w[p + "self_attn.o_proj.weight"] = normal(d, q)
        if cfg.o_bias:
            w[p + "self_attn.o_proj.bias"] = normal(d, std=BIAS_STD)
        w[p + "post_attention_layernorm.weight"] = gain()
        w[p + "mlp.gate_proj.weight"] = normal(f, d)
        w[p + "mlp.up_proj.weight"] = normal(f, d)
        w[p + "mlp.down_proj.weight"] = normal(d, f)
    w["model.norm.weight"] = gain()
    if not cfg.is_causal_lm:
        w["score.weight"] = normal(cfg.num_labels, d)
    elif not cfg.tie_word_embeddings:
        w["lm_head.weight"] = normal(cfg.vocab_size, d)
    return w


def special_ids(raw):
    ids = set()
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        v = raw.get(key)
        ids.update(v if isinstance(v, list) else [] if v is None else [v])
    return ids


def random_batch(cfg, seq_len):
    """(input_ids, attention_mask), both (3, T): full row, 3 left pads, 4 right pads.

    Real tokens never equal a special id except a BOS at the start of the full row; padding
    positions hold pad_token_id if set, else 0 (any id: they must not influence anything).
    """
    specials = special_ids(cfg.raw)
    ordinary = torch.tensor([i for i in range(cfg.vocab_size) if i not in specials])
    filler = cfg.pad_token_id if cfg.pad_token_id is not None else 0
    lengths_and_pads = [(seq_len, "none"), (seq_len - 3, "left"), (seq_len - 4, "right")]
    ids, mask = [], []
    for row, (n, side) in enumerate(lengths_and_pads):
        real = ordinary[torch.randint(len(ordinary), (n,))].tolist()
        if row == 0 and cfg.raw.get("bos_token_id") is not None:
            real[0] = cfg.raw["bos_token_id"]
        pad = seq_len - n
        if side == "left":
            ids.append([filler] * pad + real)
            mask.append([0] * pad + [1] * n)
        else:
            ids.append(real + [filler] * pad)
            mask.append([1] * n + [0] * pad)
    return torch.tensor(ids), torch.tensor(mask)


def rounded(x):
    """A float rounded to SIGNIFICANT_DIGITS significant digits, or None for NaN."""
    x = float(x)
    return None if math.isnan(x) else float(f"{x:.{SIGNIFICANT_DIGITS}g}")


def nested(tensor, mask=None):
    """Tensor -> nested lists of rounded floats; an entry whose mask is 0 becomes a single None.

    `mask` covers the leading axes of `tensor` (e.g. (B, T) for (B, T, V) logits)."""
    if mask is not None and mask.dim() == 0:
        return nested(tensor) if mask else None
    if mask is not None:
        return [nested(t, m) for t, m in zip(tensor, mask)]
    if tensor.dim() == 0:
        return rounded(tensor)
    return [nested(t) for t in tensor]


def dumps(obj, indent=0):
    """JSON with innermost lists (numbers/null) on one line each, so files stay small and diffable."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad}  {json.dumps(k)}: {dumps(v, indent + 2).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (list, dict)) for v in obj):
        return pad + "[\n" + ",\n".join(dumps(v, indent + 2) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj, separators=(", ", ": "))


def expected_outputs(spec, cfg, stored, ids, mask):
    """The expected.json dict of one case."""
    out = {
        "case": spec["name"],
        "architecture": cfg.architecture,
        "precision": "float64 (from the stored weights, upcast exactly)",
        "weights_dtype": spec["storage"],
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "position_ids": llama_ref.position_ids_from_mask(mask).tolist(),
    }
    if cfg.is_causal_lm:
        logits = llama_ref.causal_lm_logits(cfg, stored, ids, mask, PRECISION)            # (B, T, V)
        logits32 = llama_ref.causal_lm_logits(cfg, stored, ids, mask, torch.float32)
        logp = llama_ref.token_logprobs(logits, ids, mask)                               # (B, T-1)
        real = mask.bool()
        out["float32_max_abs_diff"] = rounded((logits32.double() - logits)[real].abs().max())
        out["logits"] = nested(logits, mask)
        out["token_logprobs"] = nested(logp)
        out["sequence_logprob"] = [rounded(torch.nan_to_num(row, nan=0.0).sum()) for row in logp]
    else:
        per_token = llama_ref.per_token_scores(cfg, stored, ids, mask, PRECISION)        # (B, T, 1)
        per_token32 = llama_ref.per_token_scores(cfg, stored, ids, mask, torch.float32)
        idx = llama_ref.last_real_index(ids, mask, cfg.pad_token_id)
        scores = llama_ref.sequence_scores(cfg, stored, ids, mask, PRECISION)            # (B, 1)
        real = mask.bool()
        out["float32_max_abs_diff"] = rounded((per_token32.double() - per_token)[real].abs().max())
        out["score_index"] = idx.tolist()
        out["scores"] = nested(scores[:, 0]) if cfg.num_labels == 1 else nested(scores)
        out["token_scores"] = nested(per_token[..., 0], mask) if cfg.num_labels == 1 else nested(per_token, mask)
    return out


def make_case(spec):
    torch.manual_seed(spec["seed"])
    cfg = llama_ref.Config(spec["config"])
    weights = random_weights(cfg)
    stored = {n: t.to(STORAGE_DTYPES[spec["storage"]]) for n, t in weights.items()}
    ids, mask = random_batch(cfg, spec["seq_len"])

    case_dir = os.path.join(GOLDEN_DIR, spec["name"])
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(case_dir)
    with open(os.path.join(case_dir, "config.json"), "w") as f:
        f.write(json.dumps(spec["config"], indent=2) + "\n")
    safetensors_io.save(os.path.join(case_dir, "model.safetensors"), stored)

    # Everything below reads the files back, so the expected values match what is on disk.
    cfg, stored = llama_ref.load_model(case_dir)
    with open(os.path.join(case_dir, "expected.json"), "w") as f:
        f.write(dumps(expected_outputs(spec, cfg, stored, ids, mask)) + "\n")
    check_reference.check_case(case_dir)
    return case_dir


def main():
    check_reference.check_building_blocks()
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for spec in CASES:
        case_dir = make_case(spec)
        size = sum(os.path.getsize(os.path.join(case_dir, f)) for f in os.listdir(case_dir))
        print(f"{spec['name']:22s} {size / 1024:7.1f} KiB")
    check_reference.check_cross_cases(GOLDEN_DIR)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(GOLDEN_DIR) for f in fs)
    print(f"total {total / 1024:.1f} KiB in {os.path.normpath(GOLDEN_DIR)}")


if __name__ == "__main__":
    main()
