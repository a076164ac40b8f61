package org.rlhf4j.datasets.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.rlhf4j.core.io.AtomicFiles;

/**
 * Writes the reward-model demo files shipped in {@code configs/demo/data}: {@code rm-helpful-*}
 * ({@link HelpfulDemoPairs}), {@code rm-safety-*} ({@link SafetyDemoPairs}) and
 * {@code rm-conditional-*} (both, each line with its {@code condition}).
 *
 * <p>A Python script ({@code make_rm_data.py}, Python 3.11) first wrote them, and the README and the
 * demo configs quote accuracies measured on them; {@link PythonRandom} replays its seeds, so this
 * class writes the same bytes.
 */
public final class RewardDemoFiles {

    private RewardDemoFiles() {}

    /**
     * Writes {@code rm-helpful-train/eval.jsonl}, {@code rm-safety-train/eval.jsonl} and
     * {@code rm-conditional-train/eval.jsonl} into {@code dir} (created if needed) and returns their paths.
     */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<RewardDemoPair>> file : contents().entrySet()) {
            StringBuilder text = new StringBuilder();
            file.getValue().forEach(pair -> text.append(pair.json()).append('\n'));
            Path path = dir.resolve(file.getKey());
            AtomicFiles.writeString(path, text.toString());
            written.add(path);
        }
        return written;
    }

    /** Each file's pairs by file name; the seeds and sizes are the Python script's. */
    private static Map<String, List<RewardDemoPair>> contents() {
        Map<String, List<RewardDemoPair>> files = new LinkedHashMap<>();
        files.put("rm-helpful-train.jsonl", draw(HelpfulDemoPairs::draw, 600, 1, null));
        files.put("rm-helpful-eval.jsonl", draw(HelpfulDemoPairs::draw, 200, 2, null));
        files.put("rm-safety-train.jsonl", draw(SafetyDemoPairs::draw, 600, 3, null));
        files.put("rm-safety-eval.jsonl", draw(SafetyDemoPairs::draw, 200, 4, null));
        List<RewardDemoPair> mixedTrain = new ArrayList<>(draw(HelpfulDemoPairs::draw, 400, 5, "helpful"));
        mixedTrain.addAll(draw(SafetyDemoPairs::draw, 400, 6, "safety"));
        new PythonRandom(7).shuffle(mixedTrain);
        files.put("rm-conditional-train.jsonl", mixedTrain);
        List<RewardDemoPair> mixedEval = new ArrayList<>(draw(HelpfulDemoPairs::draw, 100, 8, "helpful"));
        mixedEval.addAll(draw(SafetyDemoPairs::draw, 100, 9, "safety"));
        files.put("rm-conditional-eval.jsonl", mixedEval);
        return files;
    }

    /** {@code count} pairs from a generator seeded with {@code seed}, each under {@code condition} when not null. */
    private static List<RewardDemoPair> draw(Function<PythonRandom, RewardDemoPair> kind, int count, long seed,
            String condition) {
        PythonRandom rng = new PythonRandom(seed);
        List<RewardDemoPair> pairs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RewardDemoPair pair = kind.apply(rng);
            pairs.add(condition == null ? pair : pair.withCondition(condition));
        }
        return pairs;
    }
}
