package org.rlhf4j.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigChecks;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.datasets.format.ColumnMapping;
import org.rlhf4j.datasets.format.DataFiles;
import org.rlhf4j.datasets.format.DataFormat;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.MessageReader;

/**
 * The {@code data:} section shared by every training stage.
 *
 * @param train training data: a JSONL or JSON-array file (or, for pretraining, .txt), gzipped or
 *     not, a directory of such shards, or a YAML list of these ({@link DataFiles})
 * @param eval held-out data, given as {@code train}; mutually exclusive with {@code evalFraction}
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
 * @param format the record format ({@link DataFormat}): {@code auto} (default) detects it from the
 *     first record, or one of messages, prompt_completion, alpaca, sharegpt, text, preference,
 *     ultrafeedback, hh_rlhf
 * @param columns format key to the key the data uses, e.g. {@code {messages: conv}} ({@link ColumnMapping})
 * @param roles role names in the data to system, user, assistant or tool, e.g. {@code {bot: assistant}}
 * @param marginScale multiplies the margins a preference file gives ({@code margin}, or UltraFeedback's
 *     {@code score_chosen - score_rejected}) before the ranking loss uses them (default 1: as written;
 *     0.1 brings UltraFeedback's 1-10 score differences to Llama 2's degree margins, at most 1)
 */
public record DataConfig(
        @JsonDeserialize(using = PathList.class) String train,
        @JsonDeserialize(using = PathList.class) String eval,
        Double evalFraction,
        String onBadRecord,
        Boolean packing,
        Boolean groupByLength,
        String chatTemplate,
        Map<String, Object> chatTemplateKwargs,
        Long maxRecordBytes,
        String format,
        Map<String, String> columns,
        Map<String, String> roles,
        Double marginScale) {

    /** The default of {@code data.max_record_bytes}: 64 MiB. */
    public static final long DEFAULT_MAX_RECORD_BYTES = 64L << 20;

    public DataConfig {
        if (train == null || train.isBlank()) {
            throw new ConfigException("data.train: a training file is required");
        }
        requireData("data.train", train);
        requireData("data.eval", eval);
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
        format = format == null ? "auto" : format;
        marginScale = ConfigChecks.positive("data.margin_scale", marginScale, 1.0);
        columns = columns == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        roles = roles == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        try {
            DataFormat.fromName(format);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("data.format: " + e.getMessage());
        }
        try {
            new ColumnMapping(columns);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("data.columns: " + e.getMessage());
        }
        for (Map.Entry<String, String> role : roles.entrySet()) {
            if (role.getValue() == null || !MessageReader.ROLES.contains(role.getValue())) {
                throw new ConfigException("data.roles." + role.getKey() + ": '" + role.getValue() + "' is not a role;"
                        + " expected system, user, assistant or tool");
            }
        }
    }

    /** A {@code data:} section with margins as the data gives them ({@code margin_scale} 1). */
    public DataConfig(String train, String eval, Double evalFraction, String onBadRecord, Boolean packing,
            Boolean groupByLength, String chatTemplate, Map<String, Object> chatTemplateKwargs, Long maxRecordBytes,
            String format, Map<String, String> columns, Map<String, String> roles) {
        this(train, eval, evalFraction, onBadRecord, packing, groupByLength, chatTemplate, chatTemplateKwargs,
                maxRecordBytes, format, columns, roles, null);
    }

    /** A {@code data:} section in rlhf4j's own formats, detected from the first record, with no column or role mapping. */
    public DataConfig(String train, String eval, Double evalFraction, String onBadRecord, Boolean packing,
            Boolean groupByLength, String chatTemplate, Map<String, Object> chatTemplateKwargs, Long maxRecordBytes) {
        this(train, eval, evalFraction, onBadRecord, packing, groupByLength, chatTemplate, chatTemplateKwargs,
                maxRecordBytes, null, null, null, null);
    }

    /** A {@code data:} section without {@code chat_template_kwargs} and with the default {@code max_record_bytes}. */
    public DataConfig(String train, String eval, Double evalFraction, String onBadRecord, Boolean packing,
            Boolean groupByLength, String chatTemplate) {
        this(train, eval, evalFraction, onBadRecord, packing, groupByLength, chatTemplate, null, null, null, null, null,
                null);
    }

    /** Throws naming {@code key} when {@code value} names a directory without data files. */
    private static void requireData(String key, String value) {
        if (value != null) {
            try {
                DataFiles.expand(value, key);
            } catch (UserException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    /** The training files, directories expanded into their shards. */
    public List<Path> trainFiles() {
        return DataFiles.expand(train, "data.train");
    }

    /** The evaluation files, or none. */
    public List<Path> evalFiles() {
        return eval == null ? List.of() : DataFiles.expand(eval, "data.eval");
    }

    /** Every file this section reads: the training files, then the evaluation files. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>(trainFiles());
        out.addAll(evalFiles());
        return out;
    }

    /** The format reader of this section: {@code format}, {@code columns}, {@code roles} and {@code margin_scale}. */
    public FormatDetector formats() {
        return new FormatDetector(format, columns, roles, marginScale);
    }

    /** Reads {@code train}/{@code eval} as one path or a YAML list of paths (joined with {@link DataFiles#SEPARATOR}). */
    static final class PathList extends StdDeserializer<String> {
        private static final long serialVersionUID = 1L;

        PathList() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return ctxt.readValue(p, String.class);
            }
            List<String> paths = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new ConfigException("data: a list of data paths holds " + t + "; expected file or"
                            + " directory paths");
                }
                paths.add(p.getText());
            }
            return String.join(DataFiles.SEPARATOR, paths);
        }
    }

    /** Whether malformed lines are skipped rather than fatal. */
    public boolean skipBadRecords() {
        return onBadRecord.equals("skip");
    }
}
