package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.rlhf4j.core.stats.Estimate;

/**
 * One eval stage's results over the seeds of a {@link SeedSweep}, and the criteria a claim
 * "model X beats the baseline row on metric M" meets.
 *
 * <p>Per row and metric: the per-seed values with mean, sd, min and max. For the proportions
 * (accuracy, refusal, over-refusal) also the proportion <b>pooled</b> over every seed's prompts
 * (successes and n summed) with its 95% Wilson interval. Per compared row and proportion: the seeds
 * where it beat the baseline, plainly and with non-overlapping per-seed intervals, and the
 * <b>paired change</b>: each seed's value minus that seed's baseline value, with the mean and its
 * 95% Student t interval over the seeds. The paired change is the proper test of "the method
 * improves on its starting point": each seed's aligned models start from that seed's baseline
 * (SFT), so the seed-to-seed spread of the baseline cancels, and the seeds are the independent
 * draws; the pooled intervals treat every prompt of every seed as independent and ignore that.
 */
final class SeedSummary {

    /** Metrics summarised, and the direction that counts as better (null: not compared). */
    static final Map<String, Boolean> HIGHER_IS_BETTER = orderedMetrics();

    /** The metrics that are shares of prompts, which pool over seeds. */
    private static final Set<String> PROPORTIONS = Set.of("accuracy", "refusal", "over_refusal");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SeedSummary() {}

    private static Map<String, Boolean> orderedMetrics() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("accuracy", true);
        m.put("refusal", true);
        m.put("over_refusal", false);
        m.put("mean_length", null);
        m.put("kl", null);
        m.put("lm_loss", false); // the eval's lm_text capability metric (recipes), a mean, not a proportion
        return m;
    }

    /**
     * The summary of one eval stage's {@code results.json} of every seed. The baseline is the row
     * whose model is the eval's reference (none: no comparison).
     */
    static ObjectNode summarise(List<JsonNode> results) {
        ObjectNode out = JSON.createObjectNode();
        String baseline = baselineRow(results.get(0));
        out.put("seeds", results.size());
        if (baseline != null) {
            out.put("baseline", baseline);
        }
        ObjectNode rows = out.putObject("rows");
        results.get(0).get("rows").fieldNames().forEachRemaining(label -> {
            ObjectNode row = rows.putObject(label);
            for (Map.Entry<String, Boolean> metric : HIGHER_IS_BETTER.entrySet()) {
                List<JsonNode> cells = cells(results, label, metric.getKey());
                if (cells.isEmpty()) {
                    continue;
                }
                ObjectNode m = row.putObject(metric.getKey());
                spread(m, cells);
                if (metric.getValue() != null && PROPORTIONS.contains(metric.getKey())) {
                    pooled(cells).ifPresent(p -> m.set("pooled", estimate(p)));
                }
            }
        });
        if (baseline != null) {
            rows.fieldNames().forEachRemaining(label -> {
                if (label.equals(baseline)) {
                    return;
                }
                HIGHER_IS_BETTER.forEach((metric, up) -> {
                    ObjectNode m = (ObjectNode) rows.get(label).get(metric);
                    if (up != null && m != null) {
                        compare(m, rows.get(baseline).get(metric), results, label, baseline, metric, up);
                    }
                });
            });
        }
        return out;
    }

    /** The cells {value, low, high, n} of {@code label}'s {@code metric}, one per seed that has it. */
    private static List<JsonNode> cells(List<JsonNode> results, String label, String metric) {
        List<JsonNode> cells = new ArrayList<>();
        for (JsonNode result : results) {
            JsonNode cell = result.path("rows").path(label).path(metric);
            if (cell.has("value")) {
                cells.add(cell);
            }
        }
        return cells;
    }

    private static void spread(ObjectNode m, List<JsonNode> cells) {
        DescriptiveStatistics stats = new DescriptiveStatistics();
        cells.forEach(c -> stats.addValue(c.get("value").asDouble()));
        m.putPOJO("values", stats.getValues());
        m.put("mean", stats.getMean());
        m.put("sd", stats.getN() > 1 ? stats.getStandardDeviation() : 0.0);
        m.put("min", stats.getMin());
        m.put("max", stats.getMax());
    }

    /**
     * A proportion pooled over the seeds: each seed's successes ({@code value * n}, rounded) and
     * {@code n} summed; empty when a cell does not record its {@code n}.
     */
    static Optional<Estimate> pooled(List<JsonNode> cells) {
        int successes = 0;
        int n = 0;
        for (JsonNode cell : cells) {
            if (!cell.has("n")) {
                return Optional.empty();
            }
            int cellN = cell.get("n").asInt();
            successes += (int) Math.round(cell.get("value").asDouble() * cellN);
            n += cellN;
        }
        return Optional.of(Estimate.wilson(successes, n));
    }

    /**
     * Adds to {@code m} (a compared row's metric) the seed counts, the paired change against the
     * baseline and which criteria the claim "better than the baseline" meets.
     */
    private static void compare(ObjectNode m, JsonNode base, List<JsonNode> results, String label, String baseline,
            String metric, boolean up) {
        int better = 0;
        int disjoint = 0;
        List<Double> changes = new ArrayList<>();
        for (JsonNode result : results) {
            JsonNode cell = result.path("rows").path(label).path(metric);
            JsonNode b = result.path("rows").path(baseline).path(metric);
            if (!cell.has("value") || !b.has("value")) {
                continue;
            }
            double change = cell.get("value").asDouble() - b.get("value").asDouble();
            changes.add(change);
            better += (up ? change > 0 : change < 0) ? 1 : 0;
            disjoint += (up ? cell.get("low").asDouble() > b.get("high").asDouble()
                    : cell.get("high").asDouble() < b.get("low").asDouble()) ? 1 : 0;
        }
        m.put("better_than_baseline", better);
        m.put("better_disjoint_intervals", disjoint);
        Estimate change = Estimate.studentMean(changes.stream().mapToDouble(Double::doubleValue).toArray());
        m.set("paired_change", estimate(change));
        ObjectNode claims = m.putObject("claims");
        // NaN bounds (one seed) compare false: no paired claim from one draw
        claims.put("paired", up ? change.low() > 0 : change.high() < 0);
        JsonNode p = m.get("pooled");
        JsonNode bp = base == null ? null : base.get("pooled");
        claims.put("pooled", p != null && bp != null && (up ? p.get("low").asDouble() > bp.get("high").asDouble()
                : p.get("high").asDouble() < bp.get("low").asDouble()));
        claims.put("every_seed", !changes.isEmpty() && disjoint == changes.size());
        double tolerance = 1e-12; // changes that sum to 0 miss it by rounding
        claims.put("not_worse", up ? change.value() >= -tolerance : change.value() <= tolerance);
        claims.put("worse_paired", up ? change.high() < 0 : change.low() > 0);
    }

    private static ObjectNode estimate(Estimate e) {
        ObjectNode node = JSON.createObjectNode();
        // an interval one seed cannot give is null, not NaN (which JSON lacks)
        String[] names = {"value", "low", "high"};
        double[] values = {e.value(), e.low(), e.high()};
        for (int i = 0; i < names.length; i++) {
            if (Double.isNaN(values[i])) {
                node.putNull(names[i]);
            } else {
                node.put(names[i], values[i]);
            }
        }
        node.put("n", e.n());
        return node;
    }

    /** The row label whose model directory is the eval's KL reference, or null. */
    private static String baselineRow(JsonNode result) {
        String reference = result.path("reference").asText(null);
        if (reference == null) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        result.path("rows").fields().forEachRemaining(e -> {
            if (reference.equals(e.getValue().path("model").asText())) {
                labels.add(e.getKey());
            }
        });
        return labels.isEmpty() ? null : labels.get(0);
    }

    private static final List<String> COMPARED = List.of("accuracy", "refusal", "over_refusal");

    /**
     * The tables of one eval stage: mean ± sd [min, max] per cell; the pooled proportions; the
     * paired changes; the seed counts; and which criterion each claim meets.
     */
    static String markdown(String stage, JsonNode summary, int seeds) {
        StringBuilder sb = new StringBuilder("## " + stage + "\n\n");
        sb.append("| model | accuracy | refusal | over-refusal | length | KL to ref | LM loss (lm_text) |\n")
                .append("|---|---|---|---|---|---|---|\n");
        JsonNode rows = summary.get("rows");
        rows.fieldNames().forEachRemaining(label -> {
            sb.append("| ").append(label);
            for (String metric : HIGHER_IS_BETTER.keySet()) {
                JsonNode m = rows.get(label).get(metric);
                sb.append(" | ").append(m == null ? "-" : String.format(Locale.ROOT, "%.2f ± %.2f [%.2f, %.2f]",
                        m.get("mean").asDouble(), m.get("sd").asDouble(), m.get("min").asDouble(),
                        m.get("max").asDouble()));
            }
            sb.append(" |\n");
        });
        sb.append("\nPooled over the ").append(seeds).append(" seeds' prompts (n = seeds x prompts), 95% Wilson")
                .append(" intervals (treats every prompt of every seed as independent):\n\n");
        table(sb, rows, label -> true, m -> {
            JsonNode p = m.get("pooled");
            return p == null ? "-" : String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (n %d)", p.get("value").asDouble(),
                    p.get("low").asDouble(), p.get("high").asDouble(), p.get("n").asInt());
        });
        String baseline = summary.path("baseline").asText(null);
        if (baseline == null) {
            return sb.append('\n').toString();
        }
        Predicate<String> compared = label -> !label.equals(baseline)
                && rows.get(label).path("accuracy").has("better_than_baseline");
        sb.append("\nPaired change against ").append(baseline).append(" (each seed's model minus that seed's ")
                .append(baseline).append(", which it started from): mean [95% t-interval over the seeds")
                .append(seeds < 2 ? "; none from one seed" : "").append("]:\n\n");
        table(sb, rows, compared, m -> {
            JsonNode c = m.get("paired_change");
            String mean = signed(c.get("value").asDouble());
            return c.get("low").isNull() ? mean
                    : mean + " [" + signed(c.get("low").asDouble()) + ", " + signed(c.get("high").asDouble()) + "]";
        });
        sb.append("\nSeeds (of ").append(seeds).append(") in which a model beat ").append(baseline)
                .append(" (higher accuracy and refusal, lower over-refusal); in brackets, with")
                .append(" non-overlapping 95% intervals:\n\n");
        table(sb, rows, compared, m -> m.get("better_than_baseline").asInt() + " ("
                + m.get("better_disjoint_intervals").asInt() + ")");
        sb.append("\nWhich criterion the claim \"better than ").append(baseline).append("\" meets: **paired**, the")
                .append(" t-interval of the paired change excludes 0 on the better side; **pooled**, the pooled")
                .append(" intervals do not overlap; **every seed**, non-overlapping intervals in every seed; else")
                .append(" **no**. *not worse*: the mean paired change is not on the worse side; *worse*: its")
                .append(" t-interval lies on the worse side:\n\n");
        table(sb, rows, compared, SeedSummary::claims);
        return sb.append('\n').toString();
    }

    /** {@code x} to 3 decimals with its sign; a sum that misses 0 by rounding shows as +0.000, not -0.000. */
    private static String signed(double x) {
        return String.format(Locale.ROOT, "%+.3f", Math.round(x * 1000) / 1000.0 + 0.0);
    }

    private static String claims(JsonNode m) {
        JsonNode c = m.get("claims");
        List<String> met = new ArrayList<>();
        for (String[] criterion : new String[][] {{"paired", "paired"}, {"pooled", "pooled"},
                {"every_seed", "every seed"}}) {
            if (c.get(criterion[0]).asBoolean()) {
                met.add("**" + criterion[1] + "**");
            }
        }
        String better = met.isEmpty() ? "**no**" : String.join(", ", met);
        String direction = c.get("worse_paired").asBoolean() ? "*worse*"
                : c.get("not_worse").asBoolean() ? "*not worse*" : "*worse on average*";
        return better + "; " + direction;
    }

    /** A table of the compared metrics for the rows {@code include} accepts, one cell per metric. */
    private static void table(StringBuilder sb, JsonNode rows, Predicate<String> include,
            Function<JsonNode, String> cell) {
        sb.append("| model | accuracy | refusal | over-refusal |\n|---|---|---|---|\n");
        rows.fieldNames().forEachRemaining(label -> {
            if (!include.test(label)) {
                return;
            }
            sb.append("| ").append(label);
            for (String metric : COMPARED) {
                JsonNode m = rows.get(label).get(metric);
                sb.append(" | ").append(m == null ? "-" : cell.apply(m));
            }
            sb.append(" |\n");
        });
    }
}
