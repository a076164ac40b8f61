package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record of a data file, parsed, or the reason it could not be.
 *
 * @param where {@code FILE:LINE} in JSONL, {@code FILE:[INDEX] (line L)} in a JSON array (0-based,
 *     as {@code json.load(f)[INDEX]})
 * @param record the JSON object, or null when it is not one
 * @param problem what is wrong ("not valid JSON ...; expected ..."), or null
 */
public record SourceRecord(String where, ObjectNode record, String problem) {

    public boolean valid() {
        return problem == null;
    }
}
