"""Per-token log-probabilities of given token sequences under a causal LM directory.

Usage: /usr/bin/python3 tools/reference/logprobs.py --model DIR --input FILE.jsonl [--out FILE] [--dtype float64|float32]

DIR is a Hugging Face model directory (config.json + model.safetensors or a sharded
model.safetensors.index.json; weights F32, BF16 or F16) of a LlamaForCausalLM,
Qwen2ForCausalLM or MistralForCausalLM. Each input line `{"ids": [...]}` gives one line
`{"ids": [...], "logprobs": [...]}` with logprobs[t-1] = log p(ids[t] | ids[<t]) (length
len(ids) - 1). Each sequence is run alone, unpadded, with positions 0..len-1.
Computation in float64 by default (weights upcast exactly); use --dtype float32 for big models.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import llama_ref  # noqa: E402

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def read_jsonl(path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                    ids = [int(i) for i in record["ids"]]
                except (ValueError, KeyError, TypeError) as e:
                    raise SystemExit(f"{path}:{number}: expected {{\"ids\": [int, ...]}}: {e}")
                yield number, ids


def open_out(path):
    return open(path, "w") if path else sys.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--out")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float64")
    args = parser.parse_args()

    cfg, weights = llama_ref.load_model(args.model)
    if not cfg.is_causal_lm:
        raise SystemExit(f"{args.model}: {cfg.architecture} is not a causal LM; use score.py")
    dtype = DTYPES[args.dtype]
    weights = llama_ref.upcast(weights, dtype)  # once, not per sequence
    with open_out(args.out) as out, torch.no_grad():
        for number, ids in read_jsonl(args.input):
            if len(ids) < 1 or min(ids) < 0 or max(ids) >= cfg.vocab_size:
                raise SystemExit(f"{args.input}:{number}: ids must be non-empty and in [0, {cfg.vocab_size})")
            batch = torch.tensor([ids])
            logits = llama_ref.causal_lm_logits(cfg, weights, batch, dtype=dtype)      # (1, T, V)
            logp = llama_ref.token_logprobs(logits, batch)[0]                           # (T-1,)
            out.write(json.dumps({"ids": ids, "logprobs": [float(v) for v in logp]}) + "\n")


if __name__ == "__main__":
    main()
