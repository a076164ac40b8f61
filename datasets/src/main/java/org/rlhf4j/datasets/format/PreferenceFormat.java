package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlhf4j.datasets.PreferencePair;

/** Reads one record of a preference format as a {@link PreferencePair}. */
public interface PreferenceFormat {

    /**
     * The pair of {@code record}; {@code source} ({@code FILE:LINE}) is kept on it for later
     * messages. The message of the exception says what is wrong and what is expected.
     */
    PreferencePair pair(ObjectNode record, String source) throws InvalidRecord;
}
