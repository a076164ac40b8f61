package org.rlhf4j.datasets.demo;

import java.util.StringJoiner;

/**
 * One line of the reward-model demo files.
 *
 * @param prompt the request
 * @param chosen the preferred response
 * @param rejected the other response
 * @param preference the degree ({@code significantly_better}, {@code better}, {@code slightly_better},
 *     {@code negligibly_better})
 * @param condition {@code helpful} or {@code safety} in the conditional files, else null (no key)
 */
record RewardDemoPair(String prompt, String chosen, String rejected, String preference, String condition) {

    /** This pair judged under {@code condition}. */
    RewardDemoPair withCondition(String condition) {
        return new RewardDemoPair(prompt, chosen, rejected, preference, condition);
    }

    /**
     * The line as Python's {@code json.dumps} wrote it (", " and ": " separators, non-ASCII escaped
     * with lowercase hex): the shipped files are compared byte for byte.
     */
    String json() {
        StringJoiner fields = new StringJoiner(", ", "{", "}");
        fields.add(field("prompt", prompt)).add(field("chosen", chosen)).add(field("rejected", rejected))
                .add(field("preference", preference));
        if (condition != null) {
            fields.add(field("condition", condition));
        }
        return fields.toString();
    }

    private static String field(String key, String value) {
        return quoted(key) + ": " + quoted(value);
    }

    private static String quoted(String text) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                case '\b' -> q.append("\\b");
                case '\f' -> q.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) { // Python's ensure_ascii; surrogates stay pairs of escapes
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
