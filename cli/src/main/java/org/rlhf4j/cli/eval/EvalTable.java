package org.rlhf4j.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results table of demo evaluations: one row per model, one column per metric, each cell
 * {@code value [low, high]}; rendered as aligned text or as a Markdown table.
 *
 * <p>Rows are read from {@link DemoEvalResult#toJson} objects, so the table can be rebuilt from
 * the JSON files a run wrote. Extra columns (e.g. a reward model's pair accuracy) may be added
 * per row; an empty cell shows as {@code -}.
 */
public final class EvalTable {

    /** The metric columns: JSON key and header. */
    static final Map<String, String> METRICS = ordered(
            "accuracy", "accuracy",
            "refusal", "refusal",
            "over_refusal", "over-refusal",
            "mean_length", "length",
            "kl", "KL to ref");

    /** Decimals per metric where not 2: lengths in tokens need fewer, KL in nats more. */
    private static final Map<String, Integer> DECIMALS = Map.of("mean_length", 1, "kl", 3);

    private final List<String> labels = new ArrayList<>();
    private final List<Map<String, String>> cells = new ArrayList<>();
    private final List<String> extraColumns = new ArrayList<>();

    /** Adds a row for {@code label} from a {@link DemoEvalResult#toJson} object. */
    public EvalTable add(String label, JsonNode result) {
        Map<String, String> row = new LinkedHashMap<>();
        for (String key : METRICS.keySet()) {
            row.put(METRICS.get(key), format(result.get(key), DECIMALS.getOrDefault(key, 2)));
        }
        labels.add(label);
        cells.add(row);
        return this;
    }

    /** Sets an extra column's cell for an existing row (columns appear in the order first set). */
    public EvalTable set(String label, String column, String text) {
        int row = labels.indexOf(label);
        if (row < 0) {
            throw new IllegalArgumentException("no row '" + label + "' in " + labels);
        }
        if (!extraColumns.contains(column)) {
            extraColumns.add(column);
        }
        cells.get(row).put(column, text);
        return this;
    }

    /** Aligned plain text for the terminal. */
    public String text() {
        List<String> headers = headers();
        int[] widths = new int[headers.size() + 1];
        widths[0] = Math.max(5, labels.stream().mapToInt(String::length).max().orElse(0));
        for (int c = 0; c < headers.size(); c++) {
            widths[c + 1] = headers.get(c).length();
            for (Map<String, String> row : cells) {
                widths[c + 1] = Math.max(widths[c + 1], row.getOrDefault(headers.get(c), "-").length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(pad("model", widths[0]));
        for (int c = 0; c < headers.size(); c++) {
            out.append("  ").append(pad(headers.get(c), widths[c + 1]));
        }
        out.append('\n');
        for (int r = 0; r < labels.size(); r++) {
            out.append(pad(labels.get(r), widths[0]));
            for (int c = 0; c < headers.size(); c++) {
                out.append("  ").append(pad(cells.get(r).getOrDefault(headers.get(c), "-"), widths[c + 1]));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** A Markdown table. */
    public String markdown() {
        List<String> headers = headers();
        StringBuilder out = new StringBuilder("| model | ").append(String.join(" | ", headers)).append(" |\n|---|");
        out.append("---|".repeat(headers.size())).append('\n');
        for (int r = 0; r < labels.size(); r++) {
            out.append("| ").append(labels.get(r)).append(" |");
            for (String h : headers) {
                out.append(' ').append(cells.get(r).getOrDefault(h, "-")).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private List<String> headers() {
        List<String> headers = new ArrayList<>(METRICS.values());
        headers.addAll(extraColumns);
        return headers;
    }

    /** {@code 0.62 [0.51, 0.72]} with {@code decimals} decimals; {@code -} when absent. */
    static String format(JsonNode estimate, int decimals) {
        if (estimate == null || estimate.isNull() || !estimate.has("value") || !Double.isFinite(estimate.get("value").asDouble())) {
            return "-";
        }
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", estimate.get("value").asDouble(),
                estimate.get("low").asDouble(), estimate.get("high").asDouble());
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }
}
