package org.rlhf4j.datasets.format;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The record formats {@code data.format} names. {@code auto} (the default) picks one from the
 * keys of the first record ({@link FormatDetector}).
 */
public enum DataFormat {
    AUTO(true, true),
    /** {@code {"messages": [...]}}, also {@code prompt}/{@code completion} records ({@link ConversationFormat}). */
    MESSAGES(true, false),
    /** {@code {"prompt", "completion" | "response"}}, strings or message lists ({@link ConversationFormat}). */
    PROMPT_COMPLETION(true, false),
    /** {@code {"instruction", "input", "output" | "chosen"/"rejected", "system", "history"}} ({@link AlpacaFormat}). */
    ALPACA(true, true),
    /** {@code {"conversations": [{"from", "value"}]}}, ranking with {@code chosen}/{@code rejected} ({@link ShareGptFormat}). */
    SHAREGPT(true, true),
    /** {@code {"text": "..."}} or {@code .txt}: plain text for {@code pretrain}. */
    TEXT(true, false),
    /** TRL and rlhf4j preference records, implicit prompts included ({@link TrlPreferenceFormat}). */
    PREFERENCE(false, true),
    /** UltraFeedback-binarized: {@link #PREFERENCE} with {@code score_chosen - score_rejected} as the margin. */
    ULTRAFEEDBACK(false, true),
    /** Anthropic HH-RLHF {@code chosen}/{@code rejected} transcripts ({@link HhRlhfFormat}). */
    HH_RLHF(false, true);

    private final boolean sft;
    private final boolean preference;

    DataFormat(boolean sft, boolean preference) {
        this.sft = sft;
        this.preference = preference;
    }

    /** The name in configs: {@code prompt_completion}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether SFT (and pretraining) data can be in this format. */
    public boolean sft() {
        return sft;
    }

    /** Whether preference data can be in this format. */
    public boolean preference() {
        return preference;
    }

    /** All config names, for messages. */
    public static List<String> names() {
        return Arrays.stream(values()).map(DataFormat::configName).toList();
    }

    /** The format named {@code name}; the exception names the valid ones. */
    public static DataFormat fromName(String name) {
        for (DataFormat f : values()) {
            if (f.configName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; expected one of " + names());
    }

    /** How the format reads SFT records. */
    SftFormat sftReader(MessageReader openAi, MessageReader shareGpt) {
        return switch (this) {
            case ALPACA -> new AlpacaFormat();
            case SHAREGPT -> new ShareGptFormat(shareGpt);
            default -> new ConversationFormat(openAi);
        };
    }

    /** How the format reads preference records. */
    PreferenceFormat preferenceReader(MessageReader openAi, MessageReader shareGpt) {
        return switch (this) {
            case ALPACA -> new AlpacaFormat();
            case SHAREGPT -> new ShareGptFormat(shareGpt);
            case HH_RLHF -> new HhRlhfFormat();
            case ULTRAFEEDBACK -> new TrlPreferenceFormat(openAi, true);
            default -> new TrlPreferenceFormat(openAi, false);
        };
    }
}
