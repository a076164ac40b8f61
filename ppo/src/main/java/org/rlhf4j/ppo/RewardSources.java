package org.rlhf4j.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.reward.RewardFunctions;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.PromptRecord;

/**
 * The reward sources of a run (PPO's, and rejection sampling's in {@code org.rlhf4j.ppo.rs}), their routing and their combination into one score per response
 * ({@link RewardsConfig}).
 *
 * <p>Per batch: each source scores only the rows routed to it; a source with {@code whiten: true}
 * has its scores whitened over those rows; with {@code combine: sum} a row's score is the weighted
 * sum of its sources; with {@code combine: safety_gate} the gate's two models are combined by
 * {@link SafetyGate} from their raw scores (a row routed to only one of them takes that one),
 * the result is whitened over the batch when {@code gate.whiten}, and the weighted sum of any
 * other routed source is added (the gate's two models carry no weight).
 */
public final class RewardSources implements AutoCloseable {

    /**
     * One batch's scores.
     *
     * @param combined the per-row reward the loop uses (whitened where configured)
     * @param rawCombined the same combination of raw scores, before any whitening: what
     *     {@code objective/scores} logs, so a rising reward is visible even when the used one is
     *     whitened to mean 0
     * @param perSource each source's raw score (NaN on rows not routed to it)
     * @param safetyFraction share of gated rows that took the safety score (NaN without a gate)
     */
    public record Scores(double[] combined, double[] rawCombined, Map<String, double[]> perSource, double safetyFraction) {}

    private final RewardsConfig config;
    private final RewardRouter router;
    private final Map<String, RewardSource> sources;

    RewardSources(RewardsConfig config, Map<String, RewardSource> sources) {
        this.config = config;
        this.router = new RewardRouter(config);
        this.sources = sources;
    }

    /**
     * Opens every source of {@code config}: reward models loaded on {@code device} in
     * {@code dtype}, functions found through {@code loader}.
     */
    public static RewardSources open(RewardsConfig config, Tokenizer policyTokenizer, ChatTemplate template, Device device,
            DataType dtype, ClassLoader loader) throws IOException {
        Map<String, RewardSource> opened = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, RewardSourceConfig> e : config.sources().entrySet()) {
                String name = e.getKey();
                RewardSourceConfig source = e.getValue();
                if (source.isRewardModel()) {
                    opened.put(name, RewardModelSource.open(name, source, policyTokenizer, template, device, dtype));
                } else {
                    String function = source.className() != null ? source.className() : source.type();
                    try {
                        opened.put(name, new FunctionSource(name, RewardFunctions.load(function, source.options(),
                                loader)));
                    } catch (IllegalArgumentException bad) {
                        throw new ConfigException("rewards.sources." + name + ": " + bad.getMessage());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(RewardSource::close);
            throw e;
        }
        return new RewardSources(config, opened);
    }

    RewardRouter router() {
        return router;
    }

    /** The opened sources by name (reward models can be reached for memory reports). */
    Map<String, RewardSource> sources() {
        return sources;
    }

    /** How many unscorable prompts {@link #requireScorable} names before it only counts. */
    private static final int PROBLEMS_SHOWN = 5;

    /**
     * Checks, before the first iteration, that every prompt can be scored by each source it is
     * routed to ({@link RewardSource#problem}), so that a record lacking e.g. the {@code answer} of
     * an {@code exact_answer} rule stops the run now, named by its {@code FILE:LINE}, and not when
     * a batch first samples it.
     *
     * @throws IllegalArgumentException naming the first few such prompts and how many there are
     */
    public void requireScorable(List<PromptRecord> records) {
        List<String> problems = new ArrayList<>();
        for (PromptRecord record : records) {
            RewardInput prompt = new RewardInput(record.userText(), "", new int[0], new int[0], null,
                    record.condition(), record.tags(), record.answer(), record.extra());
            for (String name : router.route(record).sources()) {
                sources.get(name).problem(prompt).ifPresent(problem -> problems.add(record.source()
                        + ": rewards.sources." + name + ": " + problem));
            }
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems.size() + " prompt(s) cannot be scored by the reward sources"
                    + " they are routed to; fix the data or route them elsewhere with rewards.conditions:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size())))
                    + (problems.size() > PROBLEMS_SHOWN ? "\n  ... and " + (problems.size() - PROBLEMS_SHOWN)
                            + " more" : ""));
        }
    }

    /**
     * Scores every row of {@code rollout}: row {@code b} is a response to {@code records.get(b)}
     * (routed here, handed to rule sources as a {@link RewardInput}). Arrays made on the way live
     * in sub-managers of {@code scope}.
     */
    public Scores score(RolloutBatch rollout, List<PromptRecord> records, NDManager scope) {
        int b = rollout.batchSize();
        if (records.size() != b) {
            throw new IllegalArgumentException(records.size() + " prompt records for " + b + " rollout rows");
        }
        List<RewardInput> inputs = new ArrayList<>(b);
        List<RewardRouter.Route> routes = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            PromptRecord record = records.get(i);
            Completion row = rollout.rows().get(i);
            routes.add(router.route(record));
            inputs.add(new RewardInput(record.userText(), row.responseText(), row.promptIds(), row.responseIds(),
                    row.finishReason(), record.condition(), record.tags(), record.answer(), record.extra()));
        }
        return score(new ScoringBatch(rollout, List.copyOf(records), inputs, routes), scope);
    }

    /** Scores every row of {@code batch} (routes included in it). */
    Scores score(ScoringBatch batch, NDManager scope) {
        int n = batch.size();
        Map<String, double[]> raw = new LinkedHashMap<>();
        Map<String, double[]> used = new LinkedHashMap<>();
        for (Map.Entry<String, RewardSource> e : sources.entrySet()) {
            String name = e.getKey();
            int[] rows = rowsOf(batch.routes(), name);
            double[] all = new double[n];
            Arrays.fill(all, Double.NaN);
            double[] usedAll = all.clone();
            if (rows.length > 0) {
                double[] scores = e.getValue().score(batch, rows, scope);
                double[] contribution = config.sources().get(name).whiten() ? Whitening.of(scores) : scores;
                for (int i = 0; i < rows.length; i++) {
                    all[rows[i]] = scores[i];
                    usedAll[rows[i]] = contribution[i];
                }
            }
            raw.put(name, all);
            used.put(name, usedAll);
        }
        double[] combined = new double[n];
        double[] rawCombined = new double[n];
        double safetyFraction = Double.NaN;
        List<String> summed = new ArrayList<>(sources.keySet());
        if (config.safetyGate()) {
            SafetyGateConfig gate = config.gate();
            summed.remove(gate.helpfulness());
            summed.remove(gate.safety());
            GateResult result = gate(batch, raw.get(gate.helpfulness()), raw.get(gate.safety()), gate);
            double[] gated = result.scores();
            double[] gatedRaw = result.rawScores();
            safetyFraction = result.safetyFraction();
            for (int i = 0; i < n; i++) {
                combined[i] += Double.isNaN(gated[i]) ? 0 : gated[i];
                rawCombined[i] += Double.isNaN(gatedRaw[i]) ? 0 : gatedRaw[i];
            }
        }
        for (String name : summed) {
            double weight = config.sources().get(name).weight();
            double[] s = used.get(name);
            double[] r = raw.get(name);
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(s[i])) {
                    combined[i] += weight * s[i];
                    rawCombined[i] += weight * r[i];
                }
            }
        }
        return new Scores(combined, rawCombined, raw, safetyFraction);
    }

    /** The gated score of each row routed to a gate model (NaN elsewhere) and the safety share. */
    private record GateResult(double[] scores, double[] rawScores, double safetyFraction) {}

    /** The gated score of each row routed to a gate model (NaN elsewhere), whitened if configured. */
    private static GateResult gate(ScoringBatch batch, double[] helpful, double[] safety, SafetyGateConfig gate) {
        int n = batch.size();
        List<Integer> both = new ArrayList<>();
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (int i = 0; i < n; i++) {
            boolean h = !Double.isNaN(helpful[i]);
            boolean s = !Double.isNaN(safety[i]);
            if (h && s) {
                both.add(i);
            } else if (h || s) {
                out[i] = h ? helpful[i] : safety[i];
            }
        }
        double[] hb = new double[both.size()];
        double[] sb = new double[both.size()];
        boolean[] tagged = new boolean[both.size()];
        for (int k = 0; k < both.size(); k++) {
            int i = both.get(k);
            hb[k] = helpful[i];
            sb[k] = safety[i];
            tagged[k] = safetyTagged(batch.prompts().get(i), gate);
        }
        SafetyGate.Gated gated = SafetyGate.combine(hb, sb, tagged, gate.threshold());
        double safetyFraction = both.isEmpty() ? Double.NaN : gated.safetyFraction();
        for (int k = 0; k < both.size(); k++) {
            out[both.get(k)] = gated.scores()[k];
        }
        double[] raw = out.clone();
        if (gate.whiten()) {
            int[] present = java.util.stream.IntStream.range(0, n).filter(i -> !Double.isNaN(out[i])).toArray();
            double[] values = Arrays.stream(present).mapToDouble(i -> out[i]).toArray();
            double[] white = Whitening.of(values);
            for (int k = 0; k < present.length; k++) {
                out[present[k]] = white[k];
            }
        }
        return new GateResult(out, raw, safetyFraction);
    }

    static boolean safetyTagged(PromptRecord prompt, SafetyGateConfig gate) {
        for (String tag : gate.safetyTags()) {
            if (prompt.tags().contains(tag) || tag.equals(prompt.condition())) {
                return true;
            }
        }
        return false;
    }

    private static int[] rowsOf(List<RewardRouter.Route> routes, String source) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i).sources().contains(source)) {
                rows.add(i);
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        sources.values().forEach(RewardSource::close);
    }
}
