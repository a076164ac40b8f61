package org.rlhf4j.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How strongly the annotator preferred the chosen response: the {@code preference} field of a
 * preference record, Llama 2-Chat's four-point scale, strongest first.
 */
public enum PreferenceDegree {
    SIGNIFICANTLY_BETTER,
    BETTER,
    SLIGHTLY_BETTER,
    NEGLIGIBLY_BETTER;

    /** The name in data files and configs, e.g. {@code significantly_better}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The degree called {@code name}; the error lists the known names. */
    public static PreferenceDegree fromName(String name) {
        for (PreferenceDegree d : values()) {
            if (d.configName().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("\"preference\" is \"" + name + "\", an unknown degree; expected one of "
                + names());
    }

    /** The names, strongest first, for messages. */
    public static List<String> names() {
        return Arrays.stream(values()).map(PreferenceDegree::configName).toList();
    }
}
