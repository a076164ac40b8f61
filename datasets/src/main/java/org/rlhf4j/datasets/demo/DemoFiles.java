package org.rlhf4j.datasets.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where {@link DemoTask#write} puts each data set, under one directory. */
public record DemoFiles(
        Path dir,
        Path sftTrain,
        Path sftEval,
        Path prefHelpfulTrain,
        Path prefHelpfulEval,
        Path prefSafetyTrain,
        Path prefSafetyEval,
        Path ppoPrompts,
        Path evalPrompts,
        Path pretrain,
        Path manifest) {

    /** The file names inside {@code dir}. */
    public static DemoFiles in(Path dir) {
        return new DemoFiles(dir, dir.resolve("sft-train.jsonl"), dir.resolve("sft-eval.jsonl"),
                dir.resolve("pref-helpful-train.jsonl"), dir.resolve("pref-helpful-eval.jsonl"),
                dir.resolve("pref-safety-train.jsonl"), dir.resolve("pref-safety-eval.jsonl"),
                dir.resolve("ppo-prompts.jsonl"), dir.resolve("eval-prompts.jsonl"), dir.resolve("pretrain.txt"),
                dir.resolve("manifest.json"));
    }

    /** Each file by a snake_case name ({@code sft_train}, ..., {@code eval_prompts}, {@code pretrain}). */
    public Map<String, Path> byName() {
        Map<String, Path> named = new LinkedHashMap<>();
        named.put("sft_train", sftTrain);
        named.put("sft_eval", sftEval);
        named.put("pref_helpful_train", prefHelpfulTrain);
        named.put("pref_helpful_eval", prefHelpfulEval);
        named.put("pref_safety_train", prefSafetyTrain);
        named.put("pref_safety_eval", prefSafetyEval);
        named.put("ppo_prompts", ppoPrompts);
        named.put("eval_prompts", evalPrompts);
        named.put("pretrain", pretrain);
        return named;
    }
}
