"""Self-checks of llama_ref.py, run by make_golden.py (and runnable alone on existing files).

Three kinds of check:
- building blocks against hand-computed values and against a slow, loop-based forward pass that
  is written differently (RoPE as complex rotation of pairs (i, i + head_dim/2), one query and one
  head at a time, the kv head of query head h picked as h // group);
- per case: padded rows equal the same tokens run unpadded, padding ids have no influence, the
  files read back give the numbers in expected.json;
- across cases: tied head really is the embedding, GQA/MQA equal MHA with k/v heads duplicated,
  and every special feature (bias, llama3 scaling, eps) visibly changes the logits.

Usage: /usr/bin/python3 tools/reference/check_reference.py [GOLDEN_DIR]
"""

import cmath
import copy
import json
import math
import os
import struct
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import llama_ref  # noqa: E402
import safetensors_io  # noqa: E402

F64 = torch.float64


def assert_close(actual, expected, tol, what):
    actual = torch.as_tensor(actual, dtype=F64)
    expected = torch.as_tensor(expected, dtype=F64)
    err = ((actual - expected).abs() / expected.abs().clamp(min=1.0)).max().item()
    if not err <= tol:
        raise AssertionError(f"{what}: max relative error {err:.3g} > {tol:g}")


def assert_differs(a, b, min_diff, what):
    diff = (torch.as_tensor(a, dtype=F64) - torch.as_tensor(b, dtype=F64)).abs().max().item()
    if not diff >= min_diff:
        raise AssertionError(f"{what}: outputs differ by only {diff:.3g} (< {min_diff:g})")
    return diff


# ---------------------------------------------------------------------------------------------
# A slow, loop-based forward pass for one unpadded sequence (independent formulation).


def slow_final_hidden(cfg, weights, ids):
    w = {k: v.to(F64) for k, v in weights.items()}
    hd, h, kv = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
    half = hd // 2
    freqs = llama_ref.rope_inverse_frequencies(cfg, F64).tolist()

    def norm(vec, gain):
        ms = sum(float(x) ** 2 for x in vec) / len(vec)
        return torch.tensor([float(x) / math.sqrt(ms + cfg.rms_norm_eps) for x in vec], dtype=F64) * gain

    def rotate(vec, pos):
        # Pair (i, i + half) is the complex number vec[i] + j*vec[i+half], turned by pos * freq_i.
        out = vec.clone()
        for i in range(half):
            z = complex(vec[i], vec[i + half]) * cmath.exp(1j * pos * freqs[i])
            out[i], out[i + half] = z.real, z.imag
        return out

    def proj(name, vec, bias):
        y = w[name + ".weight"] @ vec
        return y + w[name + ".bias"] if bias else y

    xs = [w["model.embed_tokens.weight"][t].clone() for t in ids]
    for layer in range(cfg.num_hidden_layers):
        p = f"model.layers.{layer}."
        normed = [norm(x, w[p + "input_layernorm.weight"]) for x in xs]
        qs = [proj(p + "self_attn.q_proj", n, cfg.qkv_bias) for n in normed]
        ks = [proj(p + "self_attn.k_proj", n, cfg.qkv_bias) for n in normed]
        vs = [proj(p + "self_attn.v_proj", n, cfg.qkv_bias) for n in normed]
        new_xs = []
        for i in range(len(xs)):
            heads = []
            for head in range(h):
                kvh = head // (h // kv)
                q = rotate(qs[i][head * hd:(head + 1) * hd], i)
                visible = [j for j in range(i + 1)
                           if cfg.sliding_window is None or i - j < cfg.sliding_window]
                logits = [float(q @ rotate(ks[j][kvh * hd:(kvh + 1) * hd], j)) / math.sqrt(hd) for j in visible]
                top = max(logits)
                e = [math.exp(s - top) for s in logits]
                total = sum(e)
                heads.append(sum((e[n] / total) * vs[j][kvh * hd:(kvh + 1) * hd] for n, j in enumerate(visible)))
            attn = proj(p + "self_attn.o_proj", torch.cat(heads), cfg.o_bias)
            x = xs[i] + attn
            n2 = norm(x, w[p + "post_attention_layernorm.weight"])
            gate = w[p + "mlp.gate_proj.weight"] @ n2
            up = w[p + "mlp.up_proj.weight"] @ n2
            act = torch.tensor([g / (1 + math.exp(-g)) for g in gate.tolist()], dtype=F64) * up
            new_xs.append(x + w[p + "mlp.down_proj.weight"] @ act)
        xs = new_xs
    return torch.stack([norm(x, w["model.norm.weight"]) for x in xs])


# ---------------------------------------------------------------------------------------------


def check_building_blocks():
    # RMSNorm: x = (3, 4), mean(x^2) = 12.5, rsqrt = 0.2828427; gains (1, 2) -> (0.8485281, 2.2627417).
    got = llama_ref.rms_norm(torch.tensor([3.0, 4.0], dtype=F64), torch.tensor([1.0, 2.0], dtype=F64), 0.0)
    assert_close(got, [0.8485281374, 2.2627416998], 1e-9, "rms_norm hand values")
    # rotate_half pairs the halves, not neighbours: (1, 2, 3, 4) -> (-3, -4, 1, 2).
    assert_close(llama_ref.rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])), [-3, -4, 1, 2], 0, "rotate_half")

    # llama3 frequencies, head_dim 12, theta 5e5, factor 8, low 1, high 4, original 8:
    # wavelengths 2*pi/f; f0 = 1 (wavelength 6.283, between 8/4 = 2 and 8/1 = 8) is interpolated:
    # smooth = (8 / 6.2832 - 1) / 3 = 0.0910808, f0' = (1 - s) / 8 + s = 0.2046957; all other
    # wavelengths exceed 8 and are divided by 8.
    cfg = llama_ref.Config({"hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": 1,
                            "num_attention_heads": 4, "head_dim": 12, "vocab_size": 8,
                            "rope_theta": 500000.0,
                            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                             "high_freq_factor": 4.0, "original_max_position_embeddings": 8}})
    plain = [500000.0 ** (-2 * i / 12) for i in range(6)]
    s = (8 / (2 * math.pi) - 1) / 3
    want = [(1 - s) / 8 + s] + [f / 8 for f in plain[1:]]
    assert_close(llama_ref.rope_inverse_frequencies(cfg, F64), want, 1e-12, "llama3 inverse frequencies")
    assert abs(want[0] - 0.2046957) < 1e-6

    # RoPE scores depend on the position difference only.
    torch.manual_seed(0)
    q, k = torch.randn(1, 1, 1, 12, dtype=F64), torch.randn(1, 1, 1, 12, dtype=F64)

    def score(m, n):
        cq, sq = llama_ref.rope_cos_sin(cfg, torch.tensor([[m]]), F64)
        ck, sk = llama_ref.rope_cos_sin(cfg, torch.tensor([[n]]), F64)
        return float((llama_ref.apply_rope(q, cq, sq) * llama_ref.apply_rope(k, ck, sk)).sum())
    assert_close(score(7, 3), score(4, 0), 1e-12, "RoPE relative position")

    # The vectorised forward equals the slow loop on a config with every feature switched on.
    torch.manual_seed(1)
    raw = {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 16,
           "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4,
           "num_key_value_heads": 2, "head_dim": 6, "vocab_size": 20, "sliding_window": 3,
           "rope_theta": 100.0, "rms_norm_eps": 1e-3}
    for model_type, extra in (("mistral", {}), ("llama", {"attention_bias": True}), ("qwen2", {})):
        c = llama_ref.Config(dict(raw, model_type=model_type, architectures=None, **extra))
        w = random_small_weights(c)
        ids = torch.randint(20, (1, 7))
        fast = llama_ref.final_hidden_states(c, w, ids)[0]
        slow = slow_final_hidden(c, w, ids[0].tolist())
        assert_close(fast, slow, 1e-10, f"vectorised vs loop forward ({model_type})")

    # safetensors: header padded to 8, every dtype round-trips bit for bit.
    tensors = {"a": torch.randn(3, 5), "b": torch.randn(7).to(torch.bfloat16),
               "c": torch.randn(2, 2).to(torch.float16), "d": torch.randn(1, dtype=F64)}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.safetensors")
        safetensors_io.save(path, tensors)
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        assert n % 8 == 0, "header length must be a multiple of 8"
        assert header["__metadata__"] == {"format": "pt"}
        assert [header[k]["dtype"] for k in "abcd"] == ["F32", "BF16", "F16", "F64"]
        back = safetensors_io.load(path)
        for name, t in tensors.items():
            assert back[name].dtype == t.dtype and torch.equal(back[name], t), f"safetensors round trip {name}"
    print("building blocks: ok")


def random_small_weights(cfg):
    d, f = cfg.hidden_size, cfg.intermediate_size
    q, kv = cfg.num_attention_heads * cfg.head_dim, cfg.num_key_value_heads * cfg.head_dim
    w = {"model.embed_tokens.weight": torch.randn(cfg.vocab_size, d) * 0.3, "model.norm.weight": torch.rand(d) + 0.5}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        for name, shape in (("self_attn.q_proj", (q, d)), ("self_attn.k_proj", (kv, d)), ("self_attn.v_proj", (kv, d)),
                            ("self_attn.o_proj", (d, q)), ("mlp.gate_proj", (f, d)), ("mlp.up_proj", (f, d)),
                            ("mlp.down_proj", (d, f))):
            w[p + name + ".weight"] = torch.randn(*shape) * 0.3
            has_bias = cfg.o_bias if name == "self_attn.o_proj" else cfg.qkv_bias and "attn" in name
            if has_bias:
                w[p + name + ".bias"] = torch.randn(shape[0]) * 0.3
        w[p + "input_layernorm.weight"] = torch.rand(d) + 0.5
        w[p + "post_attention_layernorm.weight"] = torch.rand(d) + 0.5
    return w


def load_case(case_dir):
    cfg, weights = llama_ref.load_model(case_dir)
    with open(os.path.join(case_dir, "expected.json")) as f:
        expected = json.load(f)
    return cfg, weights, expected


def real_values(nested_list, mask_row):
    return [v for v, m in zip(nested_list, mask_row) if m]


def check_case(case_dir):
    """Per-case invariants, against the files as written."""
    cfg, weights, exp = load_case(case_dir)
    name = os.path.basename(case_dir)
    ids = torch.tensor(exp["input_ids"])
    mask = torch.tensor(exp["attention_mask"])

    # Each row run alone, without padding, gives the batch's numbers at its real positions.
    for b in range(ids.shape[0]):
        real_ids = ids[b][mask[b].bool()][None]
        if cfg.is_causal_lm:
            alone = llama_ref.causal_lm_logits(cfg, weights, real_ids)[0]
            assert_close(alone, real_values(exp["logits"][b], mask[b]), 1e-6, f"{name} row {b} unpadded logits")
            logp = llama_ref.token_logprobs(alone[None], real_ids)[0]
            batch_logp = [v for v in exp["token_logprobs"][b] if v is not None]
            assert_close(logp, batch_logp, 1e-6, f"{name} row {b} unpadded logprobs")
            assert_close(logp.sum(), exp["sequence_logprob"][b], 1e-6, f"{name} row {b} sequence logprob")
        else:
            alone = llama_ref.sequence_scores(cfg, weights, real_ids)[0, 0]
            assert_close(alone, exp["scores"][b], 1e-6, f"{name} row {b} unpadded score")
            assert_close(exp["token_scores"][b][exp["score_index"][b]], exp["scores"][b], 1e-7,
                         f"{name} row {b} score at score_index")
        if b == 1:
            slow = slow_final_hidden(cfg, weights, real_ids[0].tolist())
            fast = llama_ref.final_hidden_states(cfg, weights, real_ids)[0]
            assert_close(fast, slow, 1e-10, f"{name} row {b} vectorised vs loop forward")

    # Whatever sits at padding positions has no influence on real positions.
    torch.manual_seed(12345)
    scrambled = torch.where(mask.bool(), ids, torch.randint(cfg.vocab_size, ids.shape))
    if cfg.is_causal_lm:
        a = llama_ref.causal_lm_logits(cfg, weights, ids, mask)[mask.bool()]
        b = llama_ref.causal_lm_logits(cfg, weights, scrambled, mask)[mask.bool()]
        assert_close(a, b, 1e-12, f"{name} padding ids have no influence")
        # token_logprobs are consistent with the logits: log_softmax(logits[t-1])[ids[t]].
        for row in range(ids.shape[0]):
            for t in range(1, ids.shape[1]):
                v = exp["token_logprobs"][row][t - 1]
                if mask[row, t] and mask[row, t - 1]:
                    lg = torch.tensor(exp["logits"][row][t - 1], dtype=F64)
                    assert_close(torch.log_softmax(lg, -1)[ids[row, t]], v, 1e-6, f"{name} logprob consistency")
                else:
                    assert v is None, f"{name}: token_logprobs[{row}][{t - 1}] should be null"
    else:
        a = llama_ref.sequence_scores(cfg, weights, ids, mask)
        b = llama_ref.sequence_scores(cfg, weights, scrambled, mask)
        assert_close(a, b, 1e-12, f"{name} padding ids have no influence")
        # Without a mask, transformers' rule (rightmost id != pad_token_id) picks the same tokens.
        assert llama_ref.last_real_index(ids, None, cfg.pad_token_id).tolist() == exp["score_index"]
    print(f"{name}: ok")


def logits_of(cfg, weights, exp):
    return llama_ref.causal_lm_logits(cfg, weights, torch.tensor(exp["input_ids"]), torch.tensor(exp["attention_mask"]))


def expand_kv_heads(cfg, weights):
    """The same model as MHA: kv head g duplicated for each of its H/KV query heads."""
    group = cfg.num_attention_heads // cfg.num_key_value_heads
    raw = dict(cfg.raw, num_key_value_heads=cfg.num_attention_heads)
    w = dict(weights)
    for layer in range(cfg.num_hidden_layers):
        for proj in ("k_proj", "v_proj"):
            for suffix in ("weight", "bias"):
                key = f"model.layers.{layer}.self_attn.{proj}.{suffix}"
                if key in w:
                    t = w[key].reshape(cfg.num_key_value_heads, cfg.head_dim, -1)
                    w[key] = t.repeat_interleave(group, dim=0).reshape(cfg.num_attention_heads * cfg.head_dim, *weights[key].shape[1:])
    return llama_ref.Config(raw), w


def check_cross_cases(golden_dir):
    """Checks that each special feature is real and really matters."""
    def case(name):
        return load_case(os.path.join(golden_dir, name))

    # Tied head: no lm_head.weight stored; an untied model whose head is a copy of the embedding
    # gives the same logits; a stray lm_head.weight is ignored when tied (as transformers does).
    cfg, w, exp = case("llama_mha")
    assert "lm_head.weight" not in w and cfg.tie_word_embeddings
    untied = llama_ref.Config(dict(cfg.raw, tie_word_embeddings=False))
    with_head = dict(w, **{"lm_head.weight": w["model.embed_tokens.weight"].clone()})
    assert_close(logits_of(untied, with_head, exp), logits_of(cfg, w, exp), 1e-12, "tied == untied copy")
    stray = dict(w, **{"lm_head.weight": torch.randn_like(w["model.embed_tokens.weight"])})
    assert_close(logits_of(cfg, stray, exp), logits_of(cfg, w, exp), 0, "stray lm_head ignored when tied")
    assert_differs(logits_of(untied, stray, exp), logits_of(cfg, w, exp), 0.1, "untied head is used")

    # GQA / MQA equal MHA with duplicated k/v heads; and the head mapping matters (tiling instead
    # of repeat_interleave gives other numbers).
    for name in ("llama_gqa", "llama_mqa", "qwen2_gqa_bias"):
        cfg, w, exp = case(name)
        mha_cfg, mha_w = expand_kv_heads(cfg, w)
        assert_close(logits_of(mha_cfg, mha_w, exp), logits_of(cfg, w, exp), 1e-12, f"{name} == MHA expansion")
    cfg, w, exp = case("llama_gqa")
    mha_cfg, mha_w = expand_kv_heads(cfg, w)
    tiled = dict(mha_w)
    for layer in range(cfg.num_hidden_layers):
        for proj in ("k_proj", "v_proj"):
            key = f"model.layers.{layer}.self_attn.{proj}.weight"
            t = w[key].reshape(cfg.num_key_value_heads, cfg.head_dim, -1)
            tiled[key] = t.repeat(2, 1, 1).reshape(-1, t.shape[-1])
    d = assert_differs(logits_of(mha_cfg, tiled, exp), logits_of(cfg, w, exp), 0.05, "GQA head mapping matters")
    print(f"  GQA head mapping: tiled instead of interleaved changes logits by up to {d:.3f}")

    # Each feature visibly changes the logits.
    cfg, w, exp = case("llama3_rope_scaling")
    plain = llama_ref.Config(dict(cfg.raw, rope_scaling=None))
    d = assert_differs(logits_of(plain, w, exp), logits_of(cfg, w, exp), 0.05, "llama3 rope scaling matters")
    print(f"  llama3 rope scaling: dropping it changes logits by up to {d:.3f}")
    theta = llama_ref.Config(dict(cfg.raw, rope_theta=10000.0))
    d = assert_differs(logits_of(theta, w, exp), logits_of(cfg, w, exp), 0.05, "rope_theta matters")
    print(f"  rope_theta: 1e4 instead of 5e5 changes logits by up to {d:.3f}")

    cfg, w, exp = case("llama_bias")
    assert all(f"model.layers.0.self_attn.{p}_proj.bias" in w for p in "qkvo")
    for p in "qkvo":
        no_bias = dict(w, **{f"model.layers.0.self_attn.{p}_proj.bias": torch.zeros_like(w[f"model.layers.0.self_attn.{p}_proj.bias"])})
        d = assert_differs(logits_of(cfg, no_bias, exp), logits_of(cfg, w, exp), 1e-3, f"{p}_proj bias matters")
        print(f"  llama_bias: zeroing layer 0 {p}_proj bias changes logits by up to {d:.3f}")

    cfg, w, exp = case("qwen2_gqa_bias")
    assert all(f"model.layers.0.self_attn.{p}_proj.bias" in w for p in "qkv")
    assert "model.layers.0.self_attn.o_proj.bias" not in w

    cfg, w, exp = case("llama_mqa")
    small_eps = llama_ref.Config(dict(cfg.raw, rms_norm_eps=1e-5))
    d = assert_differs(logits_of(small_eps, w, exp), logits_of(cfg, w, exp), 1e-3, "rms_norm_eps matters")
    print(f"  llama_mqa: rms_norm_eps 1e-5 instead of 1e-2 changes logits by up to {d:.3f}")

    # Mistral's window (16) is wider than the sequence: same as no window; a window of 3 is not.
    cfg, w, exp = case("mistral")
    assert cfg.sliding_window > len(exp["input_ids"][0])
    as_llama = llama_ref.Config(dict(cfg.raw, model_type="llama", architectures=["LlamaForCausalLM"]))
    assert_close(logits_of(as_llama, w, exp), logits_of(cfg, w, exp), 1e-12, "mistral window > T has no effect")
    narrow = llama_ref.Config(dict(cfg.raw, sliding_window=3))
    assert_differs(logits_of(narrow, w, exp), logits_of(cfg, w, exp), 0.01, "a narrow window does change logits")

    for name, dtype in (("llama_bf16", torch.bfloat16), ("llama_f16", torch.float16)):
        cfg, w, exp = case(name)
        assert all(t.dtype == dtype for t in w.values()), f"{name}: stored dtype"
    print("cross-case checks: ok")


if __name__ == "__main__":
    golden = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "core", "src", "test", "resources", "golden")
    check_building_blocks()
    for entry in sorted(os.listdir(golden)):
        if os.path.exists(os.path.join(golden, entry, "expected.json")):
            check_case(os.path.join(golden, entry))
    check_cross_cases(golden)
