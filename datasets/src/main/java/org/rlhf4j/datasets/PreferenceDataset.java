package org.rlhf4j.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.config.UserException;
import java.util.Map;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import org.rlhf4j.datasets.jinja.TemplateException;

/**
 * The training and evaluation pairs of a reward-model or DPO run, read from preference JSONL,
 * validated, rendered (with conditions) and tokenized, with a {@link PreferenceReport}.
 *
 * <p>Record format, one JSON object a line:
 * <pre>{@code
 * {"prompt": "..." | "messages": [{"role", "content"}, ...],   // messages end with a user turn
 *  "system": "..."?,                                            // with "prompt" only
 *  "chosen": "...", "rejected": "...",                          // two different responses
 *  "preference": "significantly_better"|"better"|"slightly_better"|"negligibly_better"?,
 *  "margin": number?, "condition": "..."?}
 * }</pre>
 *
 * <p>Pipeline of {@link #load}: read and validate every record ({@code FILE:LINE: what is wrong};
 * fail or skip per {@code data.on_bad_record}, with unknown conditions and template failures
 * counted as bad records too), encode each pair with {@link PreferenceEncoder}, split off the
 * evaluation set ({@code data.eval} or a seeded {@code data.eval_fraction}), then drop pairs
 * whose longer sequence exceeds {@code maxSeqLen}: cutting the end would remove the token a reward
 * model is read at, and cutting the start could remove the condition's system turn, so such pairs
 * are left out and counted ({@link PreferenceReport#droppedTooLong}), as TRL's reward trainer
 * filters them. Packing does not apply to pairs.
 *
 * <p>Use from a trainer:
 * <pre>{@code
 * PreferenceDataset data = PreferenceDataset.load(cfg.data(), tokenizer,
 *         ChatTemplates.select(cfg.data().chatTemplate(), tokenizer), RewardConditions.ignored(), maxSeqLen, seed);
 * BatchOrder order = new BatchOrder(PreferenceDataset.lengths(data.train()), batchSize, groupByLength, seed);
 * for each micro-batch: rows = data.train() at order.rowsAt(position);
 *     collator.collate(PreferenceDataset.chosenThenRejected(rows), scope)  // (2B, T): chosen ++ rejected
 * }</pre>
 *
 * @param train training pairs, in file order (the trainer shuffles)
 * @param eval evaluation pairs, possibly empty
 * @param report counts for the log
 */
public record PreferenceDataset(List<TokenizedPair> train, List<TokenizedPair> eval, PreferenceReport report) {

    public PreferenceDataset {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
    }

    /**
     * Loads the {@code data:} section.
     *
     * @param data files, bad-record policy, template choice ({@code packing} is ignored)
     * @param tokenizer the model's tokenizer
     * @param template the chat template ({@link ChatTemplates#select})
     * @param conditions how {@code condition} fields become system turns; {@link RewardConditions#ignored()}
     *     leaves prompts as they are
     * @param maxSeqLen longest sequence, in tokens; longer pairs are dropped
     * @param seed seeds the {@code eval_fraction} split
     * @throws org.rlhf4j.datasets.io.BadRecordException at the first bad record in fail mode
     * @throws UserException if no training pair is left
     */
    public static PreferenceDataset load(DataConfig data, Tokenizer tokenizer, ChatTemplate template,
            RewardConditions conditions, int maxSeqLen, long seed) throws IOException {
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("train.max_seq_len must be at least 2, got " + maxSeqLen);
        }
        BadRecords bad = new BadRecords(data.skipBadRecords());
        PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, template, conditions);
        FormatDetector formats = data.formats();
        List<TokenizedPair> train = encode(read(data.trainFiles(), bad, data.maxRecordBytes(), formats), encoder, bad);
        List<TokenizedPair> eval = new ArrayList<>();
        if (data.eval() != null) {
            eval = encode(read(data.evalFiles(), bad, data.maxRecordBytes(), formats), encoder, bad);
        }
        int records = train.size() + eval.size();
        if (data.eval() == null && data.evalFraction() > 0) {
            train = EvalSplit.splitOff(train, data.evalFraction(), seed, eval, data.train(), "pairs");
        }
        int[] dropped = new int[1];
        train = fit(train, maxSeqLen, dropped);
        eval = fit(eval, maxSeqLen, dropped);
        if (train.isEmpty()) {
            throw new UserException(data.train() + ": no training pair left (" + records + " valid records, "
                    + bad.count() + " skipped, " + dropped[0] + " longer than max_seq_len " + maxSeqLen + ")");
        }
        PreferenceReport report = new PreferenceReport(template.name(), maxSeqLen, records, bad.count(), bad.reasons(),
                dropped[0], PreferenceReport.SplitStats.of(train), PreferenceReport.SplitStats.of(eval),
                formats.describe());
        return new PreferenceDataset(train, eval, report);
    }

    /**
     * Reads and validates the records of one file without tokenizing them. Bad records go to
     * {@code bad} (which throws in fail mode).
     */
    public static List<PreferencePair> read(Path file, BadRecords bad) throws IOException {
        return read(file, bad, StrictUtf8Lines.DEFAULT_MAX_LINE_BYTES);
    }

    /** {@link #read(Path, BadRecords)} with records of at most {@code maxRecordBytes} ({@code data.max_record_bytes}). */
    public static List<PreferencePair> read(Path file, BadRecords bad, long maxRecordBytes) throws IOException {
        return read(List.of(file), bad, maxRecordBytes, new FormatDetector("auto", Map.of(), Map.of()));
    }

    /**
     * Reads and validates the records of {@code files} in the format {@code formats} chooses (at the
     * first record, for all files), without tokenizing them.
     */
    public static List<PreferencePair> read(List<Path> files, BadRecords bad, long maxRecordBytes,
            FormatDetector formats) throws IOException {
        List<PreferencePair> out = new ArrayList<>();
        for (Path file : files) {
            RecordReader.forEach(file, maxRecordBytes, source -> {
                if (!source.valid()) {
                    bad.report(source.where(), source.problem());
                    return;
                }
                try {
                    out.add(formats.pair(source.record(), source.where()));
                } catch (InvalidRecord e) {
                    bad.report(source.where(), e.getMessage());
                }
            });
        }
        return out;
    }

    /** Encodes pairs; a pair that cannot be encoded (unknown condition, template failure) is a bad record. */
    private static List<TokenizedPair> encode(List<PreferencePair> pairs, PreferenceEncoder encoder, BadRecords bad) {
        List<TokenizedPair> out = new ArrayList<>(pairs.size());
        for (PreferencePair pair : pairs) {
            try {
                out.add(encoder.encode(pair));
            } catch (IllegalArgumentException | TemplateException e) {
                bad.report(pair.source(), e.getMessage());
            }
        }
        return out;
    }

    /** The longer sequence of each pair, for length-grouped batching ({@link BatchOrder}). */
    public static int[] lengths(List<TokenizedPair> pairs) {
        return pairs.stream().mapToInt(p -> Math.max(p.chosen().length(), p.rejected().length())).toArray();
    }

    /** The rows of one forward pass over {@code pairs}: every chosen sequence, then every rejected one (2B rows). */
    public static List<TrainingSequence> chosenThenRejected(List<TokenizedPair> pairs) {
        List<TrainingSequence> rows = new ArrayList<>(2 * pairs.size());
        pairs.forEach(p -> rows.add(p.chosen()));
        pairs.forEach(p -> rows.add(p.rejected()));
        return rows;
    }

    private static List<TokenizedPair> fit(List<TokenizedPair> pairs, int maxSeqLen, int[] dropped) {
        List<TokenizedPair> out = new ArrayList<>(pairs.size());
        for (TokenizedPair p : pairs) {
            if (Math.max(p.chosen().length(), p.rejected().length()) > maxSeqLen) {
                dropped[0]++;
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
