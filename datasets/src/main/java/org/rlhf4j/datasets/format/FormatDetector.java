package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/**
 * Chooses the format of a data section once, from {@code data.format} or (for {@code auto}) from the
 * keys of its first valid record, and reads every record with it after applying {@code data.columns}.
 *
 * <p>Detection, SFT: {@code messages} → messages; {@code conversations} → sharegpt;
 * {@code instruction} → alpaca; {@code prompt} → prompt_completion; {@code text} → text.
 * Preference: {@code conversations} → sharegpt (ranking); {@code instruction} → alpaca;
 * {@code chosen} a transcript starting with {@code Human:} and no prompt → hh_rlhf;
 * {@code score_chosen} → ultrafeedback; anything else → preference. A first record that matches
 * nothing gets the default (messages, preference), whose error then says what is expected.
 */
public final class FormatDetector {

    private final DataFormat configured;
    private final ColumnMapping columns;
    private final MessageReader openAi;
    private final MessageReader shareGpt;
    private final double marginScale;
    private DataFormat chosen;
    private String detectedAt;
    private SftFormat sft;
    private PreferenceFormat preference;

    /**
     * @param format {@code data.format}
     * @param columns {@code data.columns}
     * @param roles {@code data.roles}: role names in the data mapped to system, user, assistant, tool
     * @param marginScale {@code data.margin_scale}: multiplies each pair's margin from the data
     */
    public FormatDetector(String format, Map<String, String> columns, Map<String, String> roles, double marginScale) {
        this.configured = DataFormat.fromName(format);
        this.columns = new ColumnMapping(columns);
        this.openAi = MessageReader.openAi(roles);
        this.shareGpt = MessageReader.shareGpt(roles);
        this.marginScale = marginScale;
    }

    /** A reader with margins as the data gives them. */
    public FormatDetector(String format, Map<String, String> columns, Map<String, String> roles) {
        this(format, columns, roles, 1.0);
    }

    /** The record with {@code data.columns} applied. */
    public ObjectNode mapped(ObjectNode record) {
        return columns.apply(record);
    }

    /** The SFT conversation of {@code record} (columns applied); the first call fixes the format. */
    public List<ChatMessage> conversation(ObjectNode record, String where)
            throws InvalidRecord {
        mapped(record);
        if (sft == null) {
            choose(configured != DataFormat.AUTO ? configured : detectSft(record), where, true);
            sft = chosen.sftReader(openAi, shareGpt);
        }
        return sft.conversation(record);
    }

    /**
     * The function schemas of a record's {@code tools} column (columns applied), for the chat
     * template's {@code tools} variable; null when it has none ({@link ToolSchemas}).
     */
    public List<Object> tools(ObjectNode record) throws InvalidRecord {
        return ToolSchemas.read(mapped(record));
    }

    /**
     * The preference pair of {@code record} (columns applied), its margin times {@code data.margin_scale},
     * with the record's {@code tools}; the first call fixes the format.
     */
    public PreferencePair pair(ObjectNode record, String where) throws InvalidRecord {
        mapped(record);
        if (preference == null) {
            choose(configured != DataFormat.AUTO ? configured : detectPreference(record), where, false);
            preference = chosen.preferenceReader(openAi, shareGpt);
        }
        PreferencePair p = preference.pair(record, where);
        return new PreferencePair(p.prompt(), p.chosen(), p.rejected(), p.preference(),
                p.margin() == null ? null : p.margin() * marginScale, p.condition(), p.source(), tools(record));
    }

    private void choose(DataFormat format, String where, boolean forSft) {
        if (forSft ? !format.sft() : !format.preference()) {
            throw new ConfigException("data.format: " + format.configName() + " is "
                    + (forSft ? "a preference format; this stage reads SFT conversations" : "an SFT format; this stage"
                    + " reads preference pairs") + " (expected one of " + DataFormat.names().stream()
                    .filter(n -> n.equals("auto") || (forSft ? DataFormat.fromName(n).sft()
                            : DataFormat.fromName(n).preference())).toList() + ")");
        }
        chosen = format;
        detectedAt = configured == DataFormat.AUTO ? where : null;
    }

    /** {@code alpaca (data.format auto, from the first record of FILE:1)} or {@code alpaca (data.format)}; null before the first record. */
    public String describe() {
        if (chosen == null) {
            return null;
        }
        return chosen.configName() + (detectedAt == null ? " (data.format)"
                : " (detected by data.format auto from the keys of " + detectedAt + ")");
    }

    /** Whether {@code record} (columns applied) is a preference pair rather than a conversation: it has chosen or rejected. */
    public static boolean isPreference(JsonNode record) {
        return record.has("chosen") || record.has("rejected");
    }

    static DataFormat detectSft(JsonNode record) {
        if (record.has("messages")) {
            return DataFormat.MESSAGES;
        }
        if (record.has("conversations")) {
            return DataFormat.SHAREGPT;
        }
        if (record.has("instruction")) {
            return DataFormat.ALPACA;
        }
        if (record.has("prompt")) {
            return DataFormat.PROMPT_COMPLETION;
        }
        return record.has("text") ? DataFormat.TEXT : DataFormat.MESSAGES;
    }

    static DataFormat detectPreference(JsonNode record) {
        if (record.has("conversations")) {
            return DataFormat.SHAREGPT;
        }
        if (record.has("instruction")) {
            return DataFormat.ALPACA;
        }
        JsonNode chosen = record.path("chosen");
        if (chosen.isTextual() && HhRlhfFormat.isTranscript(chosen.asText()) && !record.has("prompt")
                && !record.has("messages")) {
            return DataFormat.HH_RLHF;
        }
        return record.has("score_chosen") ? DataFormat.ULTRAFEEDBACK : DataFormat.PREFERENCE;
    }
}
