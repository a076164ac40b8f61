"""An independent, readable PyTorch reference of transformers' Llama-family forward pass.

Covers LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM and the *ForSequenceClassification
heads of the same decoders, with the semantics of transformers' `modeling_llama.py`:

- token embedding, then per layer: pre-norm RMSNorm -> self-attention -> residual,
  pre-norm RMSNorm -> SwiGLU MLP -> residual; final RMSNorm; LM head or score head.
- RMSNorm: `w * x * rsqrt(mean(x^2, -1) + eps)`.
- RoPE on q and k with the rotate_half convention (dimension i pairs with i + head_dim/2,
  NOT interleaved pairs), base `rope_theta`, optional `rope_scaling` of type `llama3`.
- attention with `num_key_value_heads` (MHA / GQA / MQA): query head h reads key/value head
  h // (H / KV) (transformers' repeat_kv == repeat_interleave on the head axis).
- q/k/v bias for Qwen2 always, for Llama when `attention_bias` (then o_proj has a bias too).
- causal mask AND padding mask (keys with attention_mask == 0 are never attended), plus
  Mistral's sliding window (key j visible from query i only if i - j < sliding_window).
- position ids from the attention mask, `clamp(cumsum(mask) - 1, min=0)`, which is what
  transformers' `generate` passes for left-padded batches. (A bare `model(ids, mask)` call in
  transformers uses 0..T-1 instead; for unpadded and right-padded rows both agree.)

Everything is computed in one dtype chosen by the caller (float64 for the golden files), from
weights upcast out of whatever dtype they were stored in (F32/BF16/F16).
Outputs at padding positions (attention_mask == 0) carry no meaning and are not specified.
"""

import json
import math
import os

import torch

import safetensors_io

CAUSAL_LM = {"LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM"}
SEQUENCE_CLASSIFICATION = {
    "LlamaForSequenceClassification",
    "Qwen2ForSequenceClassification",
    "MistralForSequenceClassification",
}


class Config:
    """The forward-relevant fields of a config.json, with transformers' defaults filled in."""

    def __init__(self, raw):
        self.raw = dict(raw)
        self.model_type = raw.get("model_type", "llama")
        if self.model_type not in ("llama", "qwen2", "mistral"):
            raise ValueError(f"model_type {self.model_type!r} is not supported")
        default_arch = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM",
                        "mistral": "MistralForCausalLM"}[self.model_type]
        self.architecture = (raw.get("architectures") or [default_arch])[0]
        if self.architecture not in CAUSAL_LM | SEQUENCE_CLASSIFICATION:
            raise ValueError(f"architecture {self.architecture!r} is not supported")
        self.hidden_size = raw["hidden_size"]
        self.intermediate_size = raw["intermediate_size"]
        self.num_hidden_layers = raw["num_hidden_layers"]
        self.num_attention_heads = raw["num_attention_heads"]
        self.num_key_value_heads = raw.get("num_key_value_heads") or self.num_attention_heads
        self.head_dim = raw.get("head_dim") or self.hidden_size // self.num_attention_heads
        self.rms_norm_eps = raw.get("rms_norm_eps", 1e-6)
        self.rope_theta = raw.get("rope_theta", 10000.0)
        self.rope_scaling = raw.get("rope_scaling")
        self.vocab_size = raw["vocab_size"]
        self.tie_word_embeddings = bool(raw.get("tie_word_embeddings", False))
        self.pad_token_id = raw.get("pad_token_id")
        if raw.get("hidden_act", "silu") != "silu":
            raise ValueError(f"hidden_act {raw.get('hidden_act')!r} is not supported (silu only)")
        if raw.get("mlp_bias", False):
            raise ValueError("mlp_bias=true is not supported")
        # Qwen2 hard-codes bias on q/k/v and none on o; Mistral has no bias; Llama follows attention_bias.
        attention_bias = bool(raw.get("attention_bias", False))
        self.qkv_bias = self.model_type == "qwen2" or (self.model_type == "llama" and attention_bias)
        self.o_bias = self.model_type == "llama" and attention_bias
        self.sliding_window = None
        if self.model_type == "mistral":
            self.sliding_window = raw.get("sliding_window", 4096)
        elif self.model_type == "qwen2" and raw.get("use_sliding_window", False):
            raise ValueError("qwen2 use_sliding_window=true is not supported by this reference")
        self.num_labels = raw.get("num_labels") or len(raw.get("id2label") or {}) or 1
        if self.num_attention_heads % self.num_key_value_heads != 0:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")

    @property
    def is_causal_lm(self):
        return self.architecture in CAUSAL_LM


def load_model(model_dir):
    """(Config, weights) of a Hugging Face model directory; weights keep their stored dtype."""
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = Config(json.load(f))
    return cfg, safetensors_io.load_model_weights(model_dir)


# ---------------------------------------------------------------------------------------------
# Building blocks


def rms_norm(x, weight, eps):
    """x * rsqrt(mean(x^2) + eps) * weight over the last axis."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope_inverse_frequencies(cfg, dtype):
    """(head_dim/2,) angular frequencies theta^(-2i/head_dim), with llama3 scaling if configured."""
    half = torch.arange(0, cfg.head_dim, 2, dtype=torch.float64) / cfg.head_dim
    inv_freq = 1.0 / (cfg.rope_theta ** half)
    scaling = cfg.rope_scaling
    kind = None if scaling is None else scaling.get("rope_type", scaling.get("type"))
    if kind in (None, "default"):
        return inv_freq.to(dtype)
    if kind != "llama3":
        raise ValueError(f"rope_scaling type {kind!r} is not supported")
    # Llama 3.1: long wavelengths are slowed down by `factor`, short ones are kept, and the band
    # in between interpolates linearly in (original_context / wavelength).
    factor = scaling["factor"]
    low = scaling["low_freq_factor"]
    high = scaling["high_freq_factor"]
    original = scaling["original_max_position_embeddings"]
    wavelength = 2 * math.pi / inv_freq
    low_freq_wavelength = original / low    # longer than this: fully scaled
    high_freq_wavelength = original / high  # shorter than this: untouched
    smooth = (original / wavelength - low) / (high - low)
    interpolated = (1 - smooth) * inv_freq / factor + smooth * inv_freq
    scaled = torch.where(wavelength > low_freq_wavelength, inv_freq / factor, inv_freq)
    in_band = (wavelength >= high_freq_wavelength) & (wavelength <= low_freq_wavelength)
    return torch.where(in_band, interpolated, scaled).to(dtype)


def rope_cos_sin(cfg, position_ids, dtype):
    """cos and sin tables of shape (B, T, head_dim): angles repeated for both halves."""
    inv_freq = rope_inverse_frequencies(cfg, dtype)                  # (head_dim/2,)
    angles = position_ids.to(dtype)[..., None] * inv_freq            # (B, T, head_dim/2)
    angles = torch.cat([angles, angles], dim=-1)                     # (B, T, head_dim)
    return angles.cos(), angles.sin()


def rotate_half(x):
    """(x1, x2) -> (-x2, x1) where x1, x2 are the first and second halves of the last axis."""
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rope(x, cos, sin):
    """x: (B, heads, T, head_dim); cos/sin: (B, T, head_dim)."""
    return x * cos[:, None] + rotate_half(x) * sin[:, None]


def linear(x, weights, name, bias):
    """x @ W^T (+ b), W in HF layout [out, in]."""
    y = x @ weights[name + ".weight"].T
    return y + weights[name + ".bias"] if bias else y


def attention_allowed(attention_mask, sliding_window):
    """(B, T, T) boolean: query i may read key j (causal, key not padding, inside the window)."""
    t = attention_mask.shape[1]
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    allowed = j <= i
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)
    return allowed[None] & attention_mask.bool()[:, None, :]


def self_attention(cfg, w, prefix, x, cos, sin, allowed):
    """One attention block on normed input x: (B, T, D) -> (B, T, D)."""
    b, t, _ = x.shape
    h, kv, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    q = linear(x, w, prefix + "q_proj", cfg.qkv_bias).view(b, t, h, hd).transpose(1, 2)   # (B, H, T, hd)
    k = linear(x, w, prefix + "k_proj", cfg.qkv_bias).view(b, t, kv, hd).transpose(1, 2)  # (B, KV, T, hd)
    v = linear(x, w, prefix + "v_proj", cfg.qkv_bias).view(b, t, kv, hd).transpose(1, 2)  # (B, KV, T, hd)
    q = apply_rope(q, cos, sin)
    k = apply_rope(k, cos, sin)
    group = h // kv
    k = k.repeat_interleave(group, dim=1)                                    # (B, H, T, hd)
    v = v.repeat_interleave(group, dim=1)                                    # (B, H, T, hd)
    scores = q @ k.transpose(-1, -2) / math.sqrt(hd)                         # (B, H, T, T)
    scores = scores.masked_fill(~allowed[:, None], float("-inf"))
    # Queries with no visible key (left-padding positions) would give NaN; their output is
    # unspecified, so make it zero. They never feed a real position: padding keys are masked.
    no_key = ~allowed.any(-1)[:, None, :, None]                              # (B, 1, T, 1)
    probs = torch.softmax(scores.masked_fill(no_key, 0.0), dim=-1).masked_fill(no_key, 0.0)
    out = (probs @ v).transpose(1, 2).reshape(b, t, h * hd)                  # (B, T, H*hd)
    return linear(out, w, prefix + "o_proj", cfg.o_bias)


def mlp(w, prefix, x):
    """SwiGLU: down(silu(gate(x)) * up(x))."""
    gate = linear(x, w, prefix + "gate_proj", False)
    up = linear(x, w, prefix + "up_proj", False)
    return linear(torch.nn.functional.silu(gate) * up, w, prefix + "down_proj", False)


def position_ids_from_mask(attention_mask):
    """(B, T) positions counting real tokens only: clamp(cumsum(mask) - 1, min=0)."""
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0)


# ---------------------------------------------------------------------------------------------
# Whole model


def upcast(weights, dtype):
    return {name: t.to(dtype) for name, t in weights.items()}


def final_hidden_states(cfg, weights, input_ids, attention_mask=None, dtype=torch.float64):
    """(B, T, D) output of the final RMSNorm. `weights` are upcast to `dtype` here."""
    w = upcast(weights, dtype)
    input_ids = torch.as_tensor(input_ids)
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    attention_mask = torch.as_tensor(attention_mask)
    position_ids = position_ids_from_mask(attention_mask)
    cos, sin = rope_cos_sin(cfg, position_ids, dtype)
    allowed = attention_allowed(attention_mask, cfg.sliding_window)
    x = w["model.embed_tokens.weight"][input_ids]                            # (B, T, D)
    for layer in range(cfg.num_hidden_layers):
        p = f"model.layers.{layer}."
        normed = rms_norm(x, w[p + "input_layernorm.weight"], cfg.rms_norm_eps)
        x = x + self_attention(cfg, w, p + "self_attn.", normed, cos, sin, allowed)
        normed = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg.rms_norm_eps)
        x = x + mlp(w, p + "mlp.", normed)
    return rms_norm(x, w["model.norm.weight"], cfg.rms_norm_eps)


def lm_head_weight(cfg, weights):
    """[V, D] output embedding: the input embedding when tied (any lm_head.weight is ignored)."""
    if cfg.tie_word_embeddings:
        return weights["model.embed_tokens.weight"]
    return weights["lm_head.weight"]


def causal_lm_logits(cfg, weights, input_ids, attention_mask=None, dtype=torch.float64):
    """(B, T, V) next-token logits."""
    hidden = final_hidden_states(cfg, weights, input_ids, attention_mask, dtype)
    return hidden @ lm_head_weight(cfg, weights).to(dtype).T


def token_logprobs(logits, input_ids, attention_mask=None):
    """(B, T-1): entry t-1 = log p(ids[t] | ids[<t]); NaN unless tokens t-1 and t are both real."""
    input_ids = torch.as_tensor(input_ids)
    logp = torch.log_softmax(logits[:, :-1], dim=-1)                         # (B, T-1, V)
    picked = logp.gather(-1, input_ids[:, 1:, None])[..., 0]                 # (B, T-1)
    if attention_mask is not None:
        m = torch.as_tensor(attention_mask).bool()
        picked = picked.masked_fill(~(m[:, 1:] & m[:, :-1]), float("nan"))
    return picked


def per_token_scores(cfg, weights, input_ids, attention_mask=None, dtype=torch.float64):
    """(B, T, num_labels): the score head applied at every position (a critic's values)."""
    hidden = final_hidden_states(cfg, weights, input_ids, attention_mask, dtype)
    return hidden @ weights["score.weight"].to(dtype).T


def last_real_index(input_ids, attention_mask, pad_token_id):
    """(B,) index of each row's last real token.

    With a mask: the rightmost position where mask == 1. Without one, transformers' rule: the
    rightmost id != pad_token_id (the last position when pad_token_id is unset).
    """
    input_ids = torch.as_tensor(input_ids)
    t = input_ids.shape[1]
    if attention_mask is not None:
        real = torch.as_tensor(attention_mask).bool()
    elif pad_token_id is not None:
        real = input_ids != pad_token_id
    else:
        return torch.full((input_ids.shape[0],), t - 1, dtype=torch.long)
    return (torch.arange(t) * real.long()).argmax(-1)


def sequence_scores(cfg, weights, input_ids, attention_mask=None, dtype=torch.float64):
    """(B, num_labels) scores at each row's last real token (LlamaForSequenceClassification)."""
    scores = per_token_scores(cfg, weights, input_ids, attention_mask, dtype)    # (B, T, labels)
    idx = last_real_index(input_ids, attention_mask, cfg.pad_token_id)
    return scores[torch.arange(scores.shape[0]), idx]
