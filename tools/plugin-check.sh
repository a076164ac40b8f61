#!/usr/bin/env bash
# End-to-end check of reward plug-ins through the launcher: compiles tools/plugin-example (the
# README's PolitenessReward, registered for ServiceLoader) into a jar against rlhf4j-core, then runs
# one PPO iteration of a tiny model with `./rlhf4j --plugins JAR` and checks that the plug-in scored.
# Needs the CLI built (./rlhf4j builds it; RLHF4J_NO_BUILD=1 uses the jar as it is).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$ROOT/core/target/classes" "$ROOT/tools/plugin-example/src/com/example/PolitenessReward.java"
cp -r "$ROOT/tools/plugin-example/META-INF" "$WORK/classes/"
jar cf "$WORK/my-rewards.jar" -C "$WORK/classes" .
cd "$ROOT"
./rlhf4j init --config configs/model/tiny.yaml --out "$WORK/tiny" --set model.hidden_size=32 \
  --set model.intermediate_size=64 --set model.num_hidden_layers=2 >/dev/null
./rlhf4j --plugins "$WORK/my-rewards.jar" ppo --config configs/demo/ppo-rule.yaml --set model="$WORK/tiny" \
  --set output_dir="$WORK/ppo" --set train.max_steps=1 --set train.batch_size=4 --set ppo.mini_batch_size=4 \
  --set train.save_every=0 --set rewards.sources.polite.class=politeness >"$WORK/out.txt" 2>&1 \
  || { cat "$WORK/out.txt" >&2; echo "plugin-check: ppo with the plug-in failed" >&2; exit 1; }
grep -q '"objective/scores/polite"' "$WORK/ppo/metrics.jsonl" \
  || { cat "$WORK/ppo/metrics.jsonl" >&2; echo "plugin-check: no objective/scores/polite in metrics.jsonl" >&2; exit 1; }
echo "plugin-check: ppo scored with the plug-in jar through ./rlhf4j --plugins (objective/scores/polite logged)"
