package org.rlhf4j.datasets.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@code data.on_bad_record}: in fail mode the first bad record throws a
 * {@link BadRecordException}; in skip mode bad records are counted and the first
 * {@value #KEPT_REASONS} reasons kept for the report.
 */
public final class BadRecords {

    /** How many skip reasons are kept for the report. */
    public static final int KEPT_REASONS = 5;

    private final boolean skip;
    private final List<String> reasons = new ArrayList<>();
    private int count;

    public BadRecords(boolean skip) {
        this.skip = skip;
    }

    /**
     * Records that the record at {@code where} ({@code FILE:LINE}) is bad.
     *
     * @throws BadRecordException in fail mode, with the message {@code where: problem}
     */
    public void report(String where, String problem) {
        String message = where + ": " + problem;
        if (!skip) {
            throw new BadRecordException(message);
        }
        count++;
        if (reasons.size() < KEPT_REASONS) {
            reasons.add(message);
        }
    }

    /** Number of records skipped. */
    public int count() {
        return count;
    }

    /**
     * The lines a data report gives skipped records: {@code "  skipped FILE:LINE: problem"} for each
     * of {@code reasons} (the first few), then how many more were skipped; each line ends with a newline.
     */
    public static String describe(int skipped, List<String> reasons) {
        StringBuilder s = new StringBuilder();
        for (String reason : reasons) {
            s.append("  skipped ").append(reason).append('\n');
        }
        if (skipped > reasons.size()) {
            s.append("  ... and ").append(skipped - reasons.size()).append(" more skipped\n");
        }
        return s.toString();
    }

    /** The first few skip messages, in file order. */
    public List<String> reasons() {
        return List.copyOf(reasons);
    }
}
