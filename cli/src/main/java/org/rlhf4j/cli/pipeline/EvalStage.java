package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rlhf4j.cli.eval.DemoEvalResult;
import org.rlhf4j.cli.eval.DemoEvaluator;
import org.rlhf4j.cli.eval.TextLmLoss;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.datasets.demo.DemoPrompt;
import org.rlhf4j.datasets.demo.DemoTask;
import org.rlhf4j.datasets.demo.DemoTaskConfig;

/**
 * {@code kind: eval}: evaluates several models on the demo task ({@link DemoEvaluator}) and writes
 * {@code results.json} ({@code {"task", "rows": {label: metrics}}}, the report's table) and one
 * {@code <label>.json} with every graded response. Complete when {@code results.json} exists.
 */
final class EvalStage implements StageRunner {

    /** The file the report reads. */
    static final String RESULTS = "results.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The eval stage's config.
     *
     * @param task {@code demo} (default)
     * @param prompts evaluation prompts file, e.g. {@code ${data.eval_prompts}}; default: the demo
     *     task's held-out prompts for seed 0
     * @param models row label to model directory, in table order (required)
     * @param reference the model the KL column is measured against, or absent for no KL
     * @param batchSize prompts generated together (default 48)
     * @param maxNewTokens longest response (default 40)
     * @param seed KL samples and bootstrap (default 0)
     * @param device {@code auto} (default), {@code cpu}, {@code gpu}, {@code gpu:N}
     * @param chatTemplate how prompts are wrapped, as a training stage's {@code data.chat_template}:
     *     {@code auto} (default: each model's own, the one its training exported), {@code chatml},
     *     {@code none} or a {@code .jinja} path
     * @param rewardAccuracy row label to the {@code metrics.jsonl} files of the rewards that row was
     *     trained with (the reward models of a PPO row, a DPO run's own file for its implicit
     *     reward): the table's {@link #REWARD_ACCURACY} column shows each file's last held-out pair
     *     accuracy ({@code eval_accuracy} or {@code eval_rewards/accuracies}), joined by {@code /}
     * @param lmText a plain-text file (as {@code pretrain} reads it, e.g. {@code ${data.pretrain}}): each row also
     *     gets {@code lm_loss}, its model's LM loss on that text ({@link TextLmLoss}), a capability metric; absent:
     *     none
     */
    record EvalStageConfig(String task, String prompts, Map<String, String> models, String reference,
            Integer batchSize, Integer maxNewTokens, Long seed, String device, String chatTemplate,
            Map<String, List<String>> rewardAccuracy, String lmText) {
        EvalStageConfig {
            task = task == null ? "demo" : task;
            if (!task.equals("demo")) {
                throw new ConfigException("task: unknown task '" + task + "' (known: demo)");
            }
            if (models == null || models.isEmpty()) {
                throw new ConfigException("models: a mapping of row label to model directory is required,"
                        + " e.g. {sft: ${sft.final}}");
            }
            batchSize = batchSize == null ? 48 : batchSize;
            maxNewTokens = maxNewTokens == null ? 40 : maxNewTokens;
            seed = seed == null ? 0L : seed;
            device = new DeviceSpec(device).text();
            rewardAccuracy = rewardAccuracy == null ? Map.of() : rewardAccuracy;
            for (String label : rewardAccuracy.keySet()) {
                if (!models.containsKey(label)) {
                    throw new ConfigException("reward_accuracy: '" + label + "' is not a row of models " + models.keySet());
                }
            }
        }
    }

    /** The extra column's header. */
    static final String REWARD_ACCURACY = "reward acc.";

    /** The metrics keys of a held-out pair accuracy: a reward model's, a DPO run's implicit reward's. */
    private static final List<String> ACCURACY_KEYS = List.of("eval_accuracy", "eval_rewards/accuracies");

    @Override
    public String kind() {
        return "eval";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return Map.of("results", stageDir.resolve(RESULTS));
    }

    @Override
    public boolean isComplete(Path stageDir) {
        return Files.isRegularFile(stageDir.resolve(RESULTS));
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        EvalStageConfig eval = ConfigLoader.bind(config, EvalStageConfig.class, source);
        List<DemoPrompt> prompts = eval.prompts() != null ? DemoTask.readPrompts(Path.of(eval.prompts()))
                : DemoTask.generate(DemoTaskConfig.withSeed(0)).evalPrompts();
        DemoEvaluator.Options options = new DemoEvaluator.Options(eval.batchSize(), eval.maxNewTokens(), eval.seed(),
                new DeviceSpec(eval.device()).resolve(), eval.chatTemplate());
        Path reference = eval.reference() == null ? null : Path.of(eval.reference());
        Files.createDirectories(stageDir);
        ObjectNode results = JSON.createObjectNode();
        results.put("task", eval.task());
        results.put("prompts", prompts.size());
        if (reference != null) {
            results.put("reference", reference.toString());
        }
        ObjectNode rows = results.putObject("rows");
        for (Map.Entry<String, String> model : eval.models().entrySet()) {
            long started = System.nanoTime();
            DemoEvalResult result = DemoEvaluator.evaluate(Path.of(model.getValue()), reference, prompts, options);
            AtomicFiles.writeString(stageDir.resolve(model.getKey() + ".json"), result.toJson(true).toPrettyString() + "\n");
            ObjectNode row = result.toJson(false);
            if (eval.lmText() != null) {
                row.set("lm_loss", JSON.valueToTree(TextLmLoss.of(Path.of(model.getValue()), Path.of(eval.lmText()),
                        options.device(), eval.seed())));
            }
            rows.set(model.getKey(), row);
            System.out.printf("evaluated %s (%s) in %.1f s%n", model.getKey(), model.getValue(),
                    (System.nanoTime() - started) / 1e9);
        }
        ObjectNode accuracies = results.putObject("reward_accuracy");
        for (Map.Entry<String, List<String>> row : eval.rewardAccuracy().entrySet()) {
            ObjectNode cell = accuracies.putObject(row.getKey());
            for (String metrics : row.getValue()) {
                String stage = Path.of(metrics).getParent().getFileName().toString();
                double accuracy = lastPairAccuracy(Path.of(metrics));
                if (Double.isFinite(accuracy)) {
                    cell.put(stage, accuracy);
                } else {
                    cell.putNull(stage); // the stage never evaluated
                }
            }
        }
        AtomicFiles.writeString(stageDir.resolve(RESULTS), results.toPrettyString() + "\n");
    }

    /** The last held-out pair accuracy logged in a metrics file, NaN when there is none. */
    static double lastPairAccuracy(Path metrics) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            throw new ConfigException("reward_accuracy: no metrics file " + metrics);
        }
        double last = Double.NaN;
        for (JsonNode line : MetricsLog.read(metrics)) {
            for (String key : ACCURACY_KEYS) {
                if (line.has(key)) {
                    last = line.get(key).asDouble();
                }
            }
        }
        return last;
    }

    /** The reward-accuracy cells of a results.json: row label to {@code 0.97 / 1.00}. */
    static Map<String, String> rewardAccuracyCells(JsonNode results) {
        Map<String, String> cells = new LinkedHashMap<>();
        results.path("reward_accuracy").fields().forEachRemaining(row -> {
            List<String> values = new ArrayList<>();
            row.getValue().fields().forEachRemaining(v -> values.add(v.getValue().isNumber()
                    ? String.format(Locale.ROOT, "%.2f", v.getValue().asDouble()) : "-"));
            cells.put(row.getKey(), String.join(" / ", values));
        });
        return cells;
    }

    /** Reads an eval stage's {@code results.json}. */
    static JsonNode readResults(Path stageDir) throws IOException {
        return JSON.readTree(stageDir.resolve(RESULTS).toFile());
    }
}
