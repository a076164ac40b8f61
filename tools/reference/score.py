"""Scores of given token sequences under a sequence-classification (reward) model directory.

Usage: /usr/bin/python3 tools/reference/score.py --model DIR --input FILE.jsonl [--out FILE] [--dtype float64|float32]

DIR is a Hugging Face model directory of a LlamaForSequenceClassification (or the Qwen2 /
Mistral equivalent): config.json + model.safetensors (or a sharded index), `score.weight`
[num_labels, D]. Each input line `{"ids": [...]}` gives `{"ids": [...], "score": x, "index": i}`
where x is the score head at token i (a list when num_labels > 1). Each sequence is run alone,
unpadded. i follows transformers: the rightmost position whose id != pad_token_id (the last
position when pad_token_id is unset) — so a trailing token equal to pad_token_id (e.g. an EOS
that doubles as pad) is skipped, as in transformers.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import llama_ref  # noqa: E402
from logprobs import DTYPES, open_out, read_jsonl  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--out")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float64")
    args = parser.parse_args()

    cfg, weights = llama_ref.load_model(args.model)
    if cfg.is_causal_lm:
        raise SystemExit(f"{args.model}: {cfg.architecture} is a causal LM; use logprobs.py")
    dtype = DTYPES[args.dtype]
    weights = llama_ref.upcast(weights, dtype)
    with open_out(args.out) as out, torch.no_grad():
        for number, ids in read_jsonl(args.input):
            if len(ids) < 1 or min(ids) < 0 or max(ids) >= cfg.vocab_size:
                raise SystemExit(f"{args.input}:{number}: ids must be non-empty and in [0, {cfg.vocab_size})")
            batch = torch.tensor([ids])
            per_token = llama_ref.per_token_scores(cfg, weights, batch, dtype=dtype)[0]   # (T, labels)
            index = int(llama_ref.last_real_index(batch, None, cfg.pad_token_id)[0])
            values = [float(v) for v in per_token[index]]
            score = values[0] if cfg.num_labels == 1 else values
            out.write(json.dumps({"ids": ids, "score": score, "index": index}) + "\n")


if __name__ == "__main__":
    main()
