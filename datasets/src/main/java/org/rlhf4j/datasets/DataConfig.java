package org.rlhf4j.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code data:} section shared by every training stage.
 *
 * @param train JSONL (or, for pretraining, .txt) training file
 * @param eval held-out file; mutually exclusive with {@code evalFraction}
 * @param evalFraction share of the training file held out for evaluation (seeded split), 0 for none
 * @param onBadRecord {@code fail} (default): a malformed line stops the run before training with
 *     {@code FILE:LINE: what is wrong}; {@code skip}: such lines are counted, reported and left out
 * @param packing pack several short examples into one row (attention and positions kept apart)
 * @param groupByLength batch examples of similar length together (less padding), in seeded order
 * @param chatTemplate {@code auto} (the model's own {@code chat_template} if its tokenizer has one,
 *     else ChatML), {@code chatml}, {@code none} (the contents as they are, for base models) or the
 *     path of a {@code .jinja} file ({@link ChatTemplates#select(String, org.rlhf4j.core.tokenizer.Tokenizer, Map)})
 * @param chatTemplateKwargs extra variables for a Jinja template, as transformers'
 *     {@code apply_chat_template(**kwargs)} (e.g. {@code enable_thinking: false}); empty by default
 * @param maxRecordBytes longest record (line) a data file may have, in bytes (default 64 MiB): a
 *     longer one, or a file without line breaks such as {@code /dev/zero}, stops the read at its
 *     {@code FILE:LINE} within this many bytes instead of exhausting the memory
 */
public record DataConfig(
        String train,
        String eval,
        Double evalFraction,
        String onBadRecord,
        Boolean packing,
        Boolean groupByLength,
        String chatTemplate,
        Map<String, Object> chatTemplateKwargs,
        Long maxRecordBytes) {

    /** The default of {@code data.max_record_bytes}: 64 MiB. */
    public static final long DEFAULT_MAX_RECORD_BYTES = 64L << 20;

    public DataConfig {
        if (train == null || train.isBlank()) {
            throw new ConfigException("data.train: a training file is required");
        }
        requireNotDirectory("data.train", train);
        requireNotDirectory("data.eval", eval);
        evalFraction = evalFraction == null ? 0.0 : evalFraction;
        if (evalFraction < 0 || evalFraction >= 1) {
            throw new ConfigException("data.eval_fraction must be in [0, 1), got " + evalFraction);
        }
        if (eval != null && evalFraction > 0) {
            throw new ConfigException("data: set either eval or eval_fraction, not both");
        }
        onBadRecord = onBadRecord == null ? "fail" : onBadRecord;
        if (!onBadRecord.equals("fail") && !onBadRecord.equals("skip")) {
            throw new ConfigException("data.on_bad_record must be fail or skip, got '" + onBadRecord + "'");
        }
        packing = packing != null && packing;
        groupByLength = groupByLength == null || groupByLength;
        chatTemplate = chatTemplate == null ? "auto" : chatTemplate;
        if (chatTemplate.isBlank()) {
            throw new ConfigException("data.chat_template is empty; expected auto, chatml, none or the path of a"
                    + " .jinja template");
        }
        chatTemplateKwargs = chatTemplateKwargs == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplateKwargs));
        maxRecordBytes = maxRecordBytes == null ? DEFAULT_MAX_RECORD_BYTES : maxRecordBytes;
        if (maxRecordBytes < 1 || maxRecordBytes > Integer.MAX_VALUE - 8) {
            throw new ConfigException("data.max_record_bytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], got "
                    + maxRecordBytes);
        }
    }

    /** A {@code data:} section without {@code chat_template_kwargs} and with the default {@code max_record_bytes}. */
    public DataConfig(String train, String eval, Double evalFraction, String onBadRecord, Boolean packing,
            Boolean groupByLength, String chatTemplate) {
        this(train, eval, evalFraction, onBadRecord, packing, groupByLength, chatTemplate, null, null);
    }

    /** Throws naming {@code key} when {@code path} is a directory (reading it would fail with a bare "Is a directory"). */
    private static void requireNotDirectory(String key, String path) {
        if (path != null && Files.isDirectory(Path.of(path))) {
            throw new ConfigException(key + ": " + path + " is a directory; expected a data file (JSONL, or .txt for"
                    + " pretraining)");
        }
    }

    /** Whether malformed lines are skipped rather than fatal. */
    public boolean skipBadRecords() {
        return onBadRecord.equals("skip");
    }
}
