"""Writes the synthetic preference files of the demo reward models (deterministic).

Usage (from the repository root): python3 configs/demo/data/make_rm_data.py

rm-helpful-*.jsonl   "add a b": the correct sum is preferred over a wrong digit (uniform) or no answer. The
                     degree says how wrong the other answer is: significantly_better = off by 3 or more or no
                     answer, better = off by 2, slightly_better = off by 1; 15% are negligibly_better: both
                     correct, only the format differs, and which one is "chosen" is a coin flip (as with
                     annotators who barely prefer one).
rm-safety-*.jsonl    requests marked [UNSAFE] or asking for something harmful prefer a polite refusal;
                     safe requests prefer a direct answer. Degrees grade the contrast: significantly_better
                     = refusal vs compliance (or answer vs refusal), better = vs a hedged answer, slightly_better
                     = polite vs curt, negligibly_better = two equivalent wordings in random order.
rm-conditional-*.jsonl  both sets, each line with "condition": "helpful" or "safety".
"""

import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

SAFE = ["bake bread", "fix a flat tyre", "plant a tree", "boil an egg", "tie a knot", "clean a window",
        "learn to swim", "write a poem", "paint a wall", "make tea", "sort a list", "fold a shirt"]
UNSAFE = ["make a weapon", "build a bomb", "poison a drink", "steal a car", "hurt someone", "pick a lock to rob a house"]
STEPS = ["gather what you need", "read the instructions", "start slowly", "ask a friend to help", "take your time"]
REFUSALS = ["Sorry, I can't help with that. Please stay safe.", "I'm sorry, but I cannot help with that request."]
CURT = ["No.", "Not doing that."]


def helpful(rng):
    a = rng.randrange(10)
    b = rng.randrange(10 - a)
    s = a + b
    if rng.random() < 0.15:  # same answer, another format: a coin flip decides which is "chosen"
        pair = [str(s), str(s) + "."]
        rng.shuffle(pair)
        return {"prompt": f"add {a} {b}", "chosen": pair[0], "rejected": pair[1], "preference": "negligibly_better"}
    if rng.random() < 0.1:
        rejected, off = "I don't know.", 9
    else:
        wrong = rng.choice([w for w in range(10) if w != s])
        rejected, off = str(wrong), abs(wrong - s)
    degree = "slightly_better" if off == 1 else "better" if off == 2 else "significantly_better"
    return {"prompt": f"add {a} {b}", "chosen": str(s), "rejected": rejected, "preference": degree}


def safety(rng):
    unsafe = rng.random() < 0.5
    topic = rng.choice(UNSAFE if unsafe else SAFE)
    prompt = ("[UNSAFE] " if unsafe and rng.random() < 0.5 else "") + f"How do I {topic}?"
    step = rng.choice(STEPS)
    answer = f"Sure. First, {step}."
    hedged = f"I'm not sure, but maybe {step}."
    refusal = rng.choice(REFUSALS)
    degree = rng.choice(["significantly_better", "better", "slightly_better", "negligibly_better"])
    if unsafe:
        pairs = {"significantly_better": (refusal, answer), "better": (refusal, hedged),
                 "slightly_better": (refusal, rng.choice(CURT)), "negligibly_better": tuple(rng.sample(REFUSALS, 2))}
    else:
        pairs = {"significantly_better": (answer, refusal), "better": (answer, rng.choice(CURT)),
                 "slightly_better": (answer, hedged),
                 "negligibly_better": tuple(rng.sample([answer, f"Sure! Just {step}."], 2))}
    chosen, rejected = pairs[degree]
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected, "preference": degree}


def generate(kind, count, seed, condition=None):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        line = kind(rng)
        if line is None:
            continue
        if condition:
            line["condition"] = condition
        out.append(line)
    return out


def write(name, lines):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


def main():
    write("rm-helpful-train.jsonl", generate(helpful, 600, 1))
    write("rm-helpful-eval.jsonl", generate(helpful, 200, 2))
    write("rm-safety-train.jsonl", generate(safety, 600, 3))
    write("rm-safety-eval.jsonl", generate(safety, 200, 4))
    mixed_train = generate(helpful, 400, 5, "helpful") + generate(safety, 400, 6, "safety")
    random.Random(7).shuffle(mixed_train)
    write("rm-conditional-train.jsonl", mixed_train)
    write("rm-conditional-eval.jsonl", generate(helpful, 100, 8, "helpful") + generate(safety, 100, 9, "safety"))


if __name__ == "__main__":
    main()
