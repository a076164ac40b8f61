package org.rlhf4j.reward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.rlhf4j.datasets.PreferenceDegree;
import org.rlhf4j.datasets.PreferencePair;

/**
 * Running statistics of a reward model on preference pairs: accuracy overall, per preference
 * degree and per condition, and the mean scores and margins. A pair counts as correct when
 * {@code r_chosen > r_rejected} strictly (a tie is wrong: the model expressed no preference).
 *
 * <p>{@link #toMetrics} names the values as they appear in {@code metrics.jsonl}: {@code accuracy},
 * {@code accuracy/degree/<degree>}, {@code accuracy/condition/<condition>}, {@code margin}
 * (mean {@code r_c - r_r}, TRL's name), {@code target_margin} (mean margin m of the loss),
 * {@code rewards/chosen}, {@code rewards/rejected}; pairs without a degree or condition are
 * grouped under {@code none}.
 */
public final class PreferenceMetrics {

    private static final String NONE = "none";

    private int pairs;
    private int correct;
    private double chosenSum;
    private double rejectedSum;
    private double targetMarginSum;
    private final Map<String, int[]> byDegree = new TreeMap<>(); // name -> {correct, total}
    private final Map<String, int[]> byCondition = new TreeMap<>();

    /** Adds one scored pair; {@code targetMargin} is the m its loss used. */
    public void add(PreferencePair pair, double chosen, double rejected, double targetMargin) {
        boolean right = chosen > rejected;
        pairs++;
        correct += right ? 1 : 0;
        chosenSum += chosen;
        rejectedSum += rejected;
        targetMarginSum += targetMargin;
        count(byDegree, pair.preference() == null ? NONE : pair.preference(), right);
        count(byCondition, pair.condition() == null ? NONE : pair.condition(), right);
    }

    private static void count(Map<String, int[]> groups, String key, boolean right) {
        int[] c = groups.computeIfAbsent(key, k -> new int[2]);
        c[0] += right ? 1 : 0;
        c[1]++;
    }

    public int pairs() {
        return pairs;
    }

    /** Share of pairs ranked right; NaN when empty. */
    public double accuracy() {
        return pairs == 0 ? Double.NaN : (double) correct / pairs;
    }

    /** Accuracy per degree, strongest degree first, then {@code none}. */
    public Map<String, Double> accuracyByDegree() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (PreferenceDegree d : PreferenceDegree.values()) {
            int[] c = byDegree.get(d.configName());
            if (c != null) {
                out.put(d.configName(), (double) c[0] / c[1]);
            }
        }
        if (byDegree.containsKey(NONE)) {
            out.put(NONE, (double) byDegree.get(NONE)[0] / byDegree.get(NONE)[1]);
        }
        return out;
    }

    /** Pairs per degree, in the order of {@link #accuracyByDegree()}. */
    public Map<String, Integer> countByDegree() {
        Map<String, Integer> out = new LinkedHashMap<>();
        accuracyByDegree().keySet().forEach(k -> out.put(k, byDegree.get(k)[1]));
        return out;
    }

    /** Accuracy per condition, by name. */
    public Map<String, Double> accuracyByCondition() {
        Map<String, Double> out = new LinkedHashMap<>();
        byCondition.forEach((k, c) -> out.put(k, (double) c[0] / c[1]));
        return out;
    }

    /** Pairs per condition, by name. */
    public Map<String, Integer> countByCondition() {
        Map<String, Integer> out = new LinkedHashMap<>();
        byCondition.forEach((k, c) -> out.put(k, c[1]));
        return out;
    }

    /** Mean of {@code r_c - r_r}. */
    public double meanMargin() {
        return (chosenSum - rejectedSum) / pairs;
    }

    public double meanChosen() {
        return chosenSum / pairs;
    }

    public double meanRejected() {
        return rejectedSum / pairs;
    }

    public double meanTargetMargin() {
        return targetMarginSum / pairs;
    }

    /**
     * The metrics as {@code metrics.jsonl} keys, each prefixed with {@code prefix} ({@code ""} for
     * training, {@code "eval_"} for evaluation). Per-condition accuracies are left out when no pair
     * has a condition, per-degree ones when no pair has a degree.
     */
    public Map<String, Object> toMetrics(String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(prefix + "accuracy", accuracy());
        Map<String, Double> degrees = accuracyByDegree();
        if (!(degrees.size() == 1 && degrees.containsKey(NONE))) {
            degrees.forEach((k, v) -> out.put(prefix + "accuracy/degree/" + k, v));
        }
        Map<String, Double> conditions = accuracyByCondition();
        if (!(conditions.size() == 1 && conditions.containsKey(NONE))) {
            conditions.forEach((k, v) -> out.put(prefix + "accuracy/condition/" + k, v));
        }
        out.put(prefix + "margin", meanMargin());
        out.put(prefix + "target_margin", meanTargetMargin());
        out.put(prefix + "rewards/chosen", meanChosen());
        out.put(prefix + "rewards/rejected", meanRejected());
        return out;
    }
}
