package org.rlhf4j.ppo.rs;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.training.RunDirectory;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.PromptRecord;
import org.rlhf4j.ppo.PromptSet;
import org.rlhf4j.ppo.RewardSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejection sampling (best-of-N, as in Llama 2-Chat and Llama 3 post-training): samples
 * {@code rs.num_samples} responses per prompt with the rollout engine, scores them with the PPO
 * stage's reward sources ({@link RewardSources}: routing, conditions, weighted sum or safety gate)
 * and keeps the best per prompt as SFT data.
 *
 * <p>Writes under {@code output_dir}: {@code final/sft.jsonl} ({@code {"messages": [prompt
 * turns..., assistant], "score"}}, one line per kept prompt, in file order), {@code samples.jsonl}
 * (every candidate with its combined and per-source scores), {@code summary.json}, optionally
 * {@code pairs.jsonl} (best vs worst as preference pairs) and {@code config.resolved.yaml}. Every
 * file is written under a temporary name and renamed, {@code final/} last, so a finished run is
 * one whose {@code final/sft.jsonl} exists.
 */
public final class RejectionSampler {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionSampler.class);

    /** The directory of the kept data. */
    public static final String FINAL_DIR = "final";
    /** The kept data's file name in {@link #FINAL_DIR}. */
    public static final String SFT_FILE = "sft.jsonl";
    /** Every candidate with its scores. */
    public static final String SAMPLES_FILE = "samples.jsonl";
    /** Best-vs-worst preference pairs ({@code rs.pairs: true}). */
    public static final String PAIRS_FILE = "pairs.jsonl";
    /** The run's numbers. */
    public static final String SUMMARY_FILE = "summary.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a run did.
     *
     * @param prompts prompts read
     * @param samples responses sampled ({@code prompts * num_samples})
     * @param kept prompts written to the SFT file
     * @param dropped prompts whose best score was below {@code rs.min_score}
     * @param pairs preference pairs written (including those copied from {@code rs.pairs_with}); 0 without {@code rs.pairs}
     * @param meanBestScore mean over prompts of the best candidate's score
     * @param meanScore mean score over every sample (what plain sampling would average)
     * @param sftFile the written SFT file
     */
    public record Summary(int prompts, int samples, int kept, int dropped, int pairs, double meanBestScore,
            double meanScore, Path sftFile) {

        /** The summary as the command prints it. */
        public String describe() {
            return String.format("best-of-%d over %d prompts: mean best score %.4f vs mean sample score %.4f"
                    + " (gain %.4f); kept %d, dropped %d%s", prompts == 0 ? 0 : samples / prompts, prompts,
                    meanBestScore, meanScore, meanBestScore - meanScore, kept, dropped,
                    pairs > 0 ? "; " + pairs + " preference pairs" : "");
        }
    }

    private final RsConfig config;
    private final ClassLoader loader;

    /** A sampler that finds user reward functions through the thread's context class loader. */
    public RejectionSampler(RsConfig config) {
        this(config, Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : RejectionSampler.class.getClassLoader());
    }

    public RejectionSampler(RsConfig config, ClassLoader loader) {
        this.config = config;
        this.loader = loader;
    }

    /** Samples, scores, selects and writes every output. */
    public Summary run() throws IOException {
        RsOptions rs = config.rs();
        Path out = config.outputPath();
        Files.createDirectories(out);
        Device device = new DeviceSpec(config.device()).resolve();
        DataType dtype = config.computeType();
        try (PretrainedModel policy = PretrainedModel.load(config.modelPath(), device, dtype)) {
            ChatTemplate template = ChatTemplates.select(config.data(), policy.tokenizer());
            PromptSet prompts = PromptSet.load(config.data(), policy.tokenizer(), template, rs.maxPromptLen());
            LOG.info(String.format("prompts: %d from %s%s%s; %d samples each", prompts.size(), config.data().train(),
                    prompts.truncated() > 0 ? ", " + prompts.truncated() + " cut to rs.max_prompt_len" : "",
                    prompts.skipped() > 0 ? ", " + prompts.skipped() + " bad records skipped" : "", rs.numSamples()));
            if (!prompts.skipReport().isEmpty()) {
                LOG.info(prompts.skipReport().stripTrailing());
            }
            RunDirectory.writeResolvedConfig(out, config);
            Path staging = AtomicFiles.createStagingDirectory(out.resolve(FINAL_DIR));
            try (RewardSources rewards = RewardSources.open(config.rewards(), policy.tokenizer(), template, device,
                            dtype, loader);
                    StagedFile sft = new StagedFile(staging.resolve(SFT_FILE));
                    StagedFile samples = new StagedFile(out.resolve(SAMPLES_FILE));
                    StagedFile pairs = rs.pairs() ? new StagedFile(out.resolve(PAIRS_FILE)) : null) {
                rewards.requireScorable(prompts.records()); // before any sampling, with FILE:LINE
                Tally tally = new Tally();
                if (pairs != null) {
                    tally.pairs += copyPairs(rs.pairsWith(), pairs);
                }
                RolloutEngine engine = new RolloutEngine(policy.model(), policy.tokenizer(), EngineOptions.defaults());
                SamplingParams params = new SamplingParams(rs.maxNewTokens(), rs.temperature(), rs.topK(), rs.topP(),
                        config.seed());
                StopCriteria stop = StopCriteria.eos(policy.stopTokenIds());
                int n = rs.numSamples();
                int step = Math.max(1, prompts.size() / 10);
                for (int first = 0; first < prompts.size(); first += rs.batchSize()) {
                    int last = Math.min(prompts.size(), first + rs.batchSize());
                    List<int[]> ids = new ArrayList<>((last - first) * n);
                    List<PromptRecord> records = new ArrayList<>((last - first) * n);
                    for (int p = first; p < last; p++) {
                        for (int k = 0; k < n; k++) {
                            ids.add(prompts.ids().get(p));
                            records.add(prompts.records().get(p));
                        }
                    }
                    try (NDManager scope = policy.manager().newSubManager()) {
                        // Row r of the whole run is prompt r / N's sample r % N: seeds do not depend on batch_size.
                        RolloutBatch batch = engine.generate(ids, params, stop, (long) first * n,
                                RolloutListener.NONE, scope);
                        RewardSources.Scores scores = rewards.score(batch, records, scope);
                        for (int p = first; p < last; p++) {
                            select(p, (p - first) * n, batch.rows(), scores, prompts.records().get(p), tally, sft,
                                    samples, pairs);
                        }
                    }
                    if (last == prompts.size() || last / step > first / step) { // about every tenth
                        LOG.info("rs: {}/{} prompts", last, prompts.size());
                    }
                }
                Summary summary = new Summary(prompts.size(), prompts.size() * n, tally.kept, tally.dropped,
                        tally.pairs, prompts.size() == 0 ? Double.NaN : tally.bestSum / prompts.size(),
                        prompts.size() == 0 ? Double.NaN : tally.sampleSum / (prompts.size() * n),
                        out.resolve(FINAL_DIR).resolve(SFT_FILE));
                samples.commit();
                if (pairs != null) {
                    pairs.commit();
                }
                AtomicFiles.writeString(out.resolve(SUMMARY_FILE), summaryJson(summary));
                sft.commit();
                AtomicFiles.replaceDirectory(staging, out.resolve(FINAL_DIR));
                return summary;
            } finally {
                AtomicFiles.deleteRecursively(staging); // gone already after a successful rename
            }
        }
    }

    /** Running totals over prompts. */
    private static final class Tally {
        int kept;
        int dropped;
        int pairs;
        double bestSum;
        double sampleSum;
    }

    /** Chooses among prompt {@code p}'s candidates (batch rows {@code [row, row + N)}) and writes its lines. */
    private void select(int p, int row, List<Completion> rows, RewardSources.Scores scores, PromptRecord record,
            Tally tally, StagedFile sft, StagedFile samples, StagedFile pairs) throws IOException {
        RsOptions rs = config.rs();
        int n = rs.numSamples();
        double[] combined = scores.combined();
        int best = BestOfN.best(combined, row, n);
        double bestScore = combined[row + best];
        boolean keep = rs.minScore() == null || bestScore >= rs.minScore();
        for (int k = 0; k < n; k++) {
            Completion c = rows.get(row + k);
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt_index", p);
            line.put("sample", k);
            line.put("prompt", record.userText());
            line.put("response", c.responseText());
            line.put("finish_reason", c.finishReason().jsonName());
            line.put("score", combined[row + k]);
            ObjectNode per = line.putObject("scores");
            for (Map.Entry<String, double[]> e : scores.perSource().entrySet()) {
                double v = e.getValue()[row + k];
                if (Double.isNaN(v)) {
                    per.putNull(e.getKey()); // the source was not routed this prompt
                } else {
                    per.put(e.getKey(), v);
                }
            }
            line.put("best", k == best);
            line.put("kept", k == best && keep);
            samples.line(JSON.writeValueAsString(line));
            tally.sampleSum += combined[row + k];
        }
        tally.bestSum += bestScore;
        if (keep) {
            ObjectNode line = JSON.createObjectNode();
            ArrayNode messages = line.putArray("messages");
            for (ChatMessage m : record.messages()) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
            messages.addObject().put("role", "assistant").put("content", rows.get(row + best).responseText());
            line.put("score", bestScore);
            sft.line(JSON.writeValueAsString(line));
            tally.kept++;
        } else {
            tally.dropped++;
        }
        if (pairs != null) {
            int worst = BestOfN.worst(combined, row, n);
            if (bestScore - combined[row + worst] > rs.pairMinGap()) {
                pairs.line(pairLine(record, rows.get(row + best).responseText(), rows.get(row + worst).responseText()));
                tally.pairs++;
            }
        }
    }

    /** A preference record: the prompt as a string when it is one user turn, else its messages. */
    private static String pairLine(PromptRecord record, String chosen, String rejected) throws JsonProcessingException {
        ObjectNode line = JSON.createObjectNode();
        if (record.messages().size() == 1 && record.messages().get(0).role().equals("user")) {
            line.put("prompt", record.messages().get(0).content());
        } else {
            ArrayNode messages = line.putArray("messages");
            for (ChatMessage m : record.messages()) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
        }
        line.put("chosen", chosen);
        line.put("rejected", rejected);
        if (record.condition() != null) {
            line.put("condition", record.condition());
        }
        return JSON.writeValueAsString(line);
    }

    /** Copies the non-blank lines of each file into {@code pairs}; returns how many. */
    private static int copyPairs(List<String> files, StagedFile pairs) throws IOException {
        int count = 0;
        for (String file : files) {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (!line.isBlank()) {
                    pairs.line(line.strip());
                    count++;
                }
            }
        }
        return count;
    }

    private String summaryJson(Summary s) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        root.put("prompts", s.prompts());
        root.put("num_samples", config.rs().numSamples());
        root.put("samples", s.samples());
        root.put("kept", s.kept());
        root.put("dropped", s.dropped());
        if (config.rs().minScore() != null) {
            root.put("min_score", config.rs().minScore());
        }
        root.put("mean_best_score", s.meanBestScore());
        root.put("mean_score", s.meanScore());
        root.put("best_of_n_gain", s.meanBestScore() - s.meanScore());
        if (config.rs().pairs()) {
            root.put("pairs", s.pairs());
        }
        root.put("sft_file", s.sftFile().toString());
        return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }
}
