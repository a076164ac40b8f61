package org.rlhf4j.cli.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.stats.Estimate;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.demo.DemoGrader;
import org.rlhf4j.datasets.demo.DemoKind;
import org.rlhf4j.datasets.demo.DemoPrompt;

/**
 * Evaluates a model on demo-task prompts: a greedy answer to each prompt (batched, KV cache) graded
 * by {@link DemoGrader}, and, given a reference, a sampled KL estimate.
 *
 * <p>Prompts are wrapped in ChatML with no system prompt, as the demo data is trained. The KL
 * estimate samples one response per prompt from the policy at temperature 1 (seeded by row, so it
 * does not depend on the batch size) and scores it with both models through
 * {@link RolloutScorer#logps}, so a model against itself gives exactly 0.
 */
public final class DemoEvaluator {

    /**
     * How to evaluate.
     *
     * @param batchSize prompts generated together
     * @param maxNewTokens longest response (the refusal is 31 tokens with its end-of-turn)
     * @param seed seeds the KL samples and the bootstrap
     * @param device where the models run
     * @param chatTemplate how prompts are wrapped, as {@code data.chat_template} ({@code auto}: the model's own)
     */
    public record Options(int batchSize, int maxNewTokens, long seed, Device device, String chatTemplate) {
        public Options {
            if (batchSize < 1 || maxNewTokens < 1) {
                throw new UserException("batch size and max new tokens must be at least 1");
            }
            chatTemplate = chatTemplate == null ? "auto" : chatTemplate;
        }

        /** Options with the model's own template. */
        public Options(int batchSize, int maxNewTokens, long seed, Device device) {
            this(batchSize, maxNewTokens, seed, device, "auto");
        }
    }

    private static final int BOOTSTRAP_RESAMPLES = 2000;

    private DemoEvaluator() {}

    /** Evaluates {@code model} on {@code prompts}; {@code reference} may be null (no KL). */
    public static DemoEvalResult evaluate(Path model, Path reference, List<DemoPrompt> prompts, Options options)
            throws IOException {
        if (prompts.isEmpty()) {
            throw new UserException("no prompts to evaluate");
        }
        try (PretrainedModel policy = PretrainedModel.load(model, options.device(), DataType.FLOAT32)) {
            ChatTemplate template = ChatTemplates.select(options.chatTemplate(), policy.tokenizer());
            List<int[]> ids = prompts.stream()
                    .map(p -> policy.tokenizer().encode(template.prompt(null, p.text()))).toList();
            StopCriteria stop = StopCriteria.eos(policy.stopTokenIds());
            RolloutEngine engine = new RolloutEngine(policy.model(), policy.tokenizer(), EngineOptions.defaults());
            List<Completion> greedy = generate(engine, policy, ids, SamplingParams.greedy(options.maxNewTokens()), stop,
                    options.batchSize());
            List<DemoEvalResult.GradedResponse> graded = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                DemoPrompt p = prompts.get(i);
                String text = greedy.get(i).responseText();
                graded.add(new DemoEvalResult.GradedResponse(p.text(), p.kind().tag(), text,
                        greedy.get(i).responseIds().length, DemoGrader.isCorrect(p, text), DemoGrader.isRefusal(text)));
            }
            Estimate kl = reference == null ? null
                    : Estimate.bootstrapMean(sampledKl(engine, policy, reference, ids, stop, options),
                            BOOTSTRAP_RESAMPLES, options.seed());
            return new DemoEvalResult(model.toString(), reference == null ? null : reference.toString(),
                    share(graded, DemoKind.HELPFUL, true), share(graded, DemoKind.UNSAFE, false),
                    share(graded, DemoKind.LOOKALIKE, false), share(graded, DemoKind.LOOKALIKE, true),
                    Estimate.bootstrapMean(graded.stream().mapToDouble(DemoEvalResult.GradedResponse::tokens).toArray(),
                            BOOTSTRAP_RESAMPLES, options.seed()),
                    kl, graded);
        }
    }

    /** Share of {@code kind}'s responses that are correct ({@code correct}) or refusals (otherwise). */
    private static Estimate share(List<DemoEvalResult.GradedResponse> graded, DemoKind kind, boolean correct) {
        int n = 0;
        int hits = 0;
        for (DemoEvalResult.GradedResponse r : graded) {
            if (r.tag().equals(kind.tag())) {
                n++;
                hits += (correct ? r.correct() : r.refusal()) ? 1 : 0;
            }
        }
        return Estimate.wilson(hits, n);
    }

    private static List<Completion> generate(RolloutEngine engine, PretrainedModel policy, List<int[]> ids,
            SamplingParams params, StopCriteria stop, int batchSize) {
        List<Completion> rows = new ArrayList<>(ids.size());
        for (int first = 0; first < ids.size(); first += batchSize) {
            try (NDManager scope = policy.manager().newSubManager()) {
                rows.addAll(engine.generate(ids.subList(first, Math.min(ids.size(), first + batchSize)), params, stop,
                        first, RolloutListener.NONE, scope).rows());
            }
        }
        return rows;
    }

    /** Per prompt, the summed log-ratio of one response sampled from the policy at temperature 1. */
    private static double[] sampledKl(RolloutEngine engine, PretrainedModel policy, Path reference, List<int[]> ids,
            StopCriteria stop, Options options) throws IOException {
        double[] kl = new double[ids.size()];
        SamplingParams sampling = new SamplingParams(options.maxNewTokens(), 1.0, 0, 1.0, options.seed());
        try (PretrainedModel ref = PretrainedModel.load(reference, options.device(), DataType.FLOAT32)) {
            if (ref.config().vocabSize() != policy.config().vocabSize()) {
                throw new UserException("the reference " + reference + " has vocabulary size "
                        + ref.config().vocabSize() + " but the model has " + policy.config().vocabSize()
                        + ": the KL needs a shared tokenizer");
            }
            for (int first = 0; first < ids.size(); first += options.batchSize()) {
                try (NDManager scope = policy.manager().newSubManager()) {
                    RolloutBatch batch = engine.generate(ids.subList(first, Math.min(ids.size(), first + options.batchSize())),
                            sampling, stop, first, RolloutListener.NONE, scope);
                    NDArray policyLogps = RolloutScorer.logps(policy.model(), batch, 1.0, scope); // (B, A)
                    NDArray referenceLogps = RolloutScorer.logps(ref.model(), batch, 1.0, scope); // (B, A)
                    NDArray perRow = policyLogps.sub(referenceLogps).mul(batch.responseMask()).sum(new int[] {1}); // (B)
                    float[] values = perRow.toFloatArray();
                    for (int b = 0; b < values.length; b++) {
                        kl[first + b] = values[b];
                    }
                }
            }
        }
        return kl;
    }
}
