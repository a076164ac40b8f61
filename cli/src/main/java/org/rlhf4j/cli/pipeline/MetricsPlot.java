package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.training.MetricsLog;

/**
 * Draws a training stage's {@code metrics.jsonl} as one PNG of at most {@link #MAX_PANELS} large
 * panels, the curves that say whether training works first: reward, KL, loss, accuracy, then the
 * learning rate and gradient norm ({@link #PRIORITY}), then a few secondary curves, then whatever
 * else the file has. Each training curve is drawn faintly as logged with an EMA-smoothed line on
 * top (a noisy per-step loss hides its trend); a metric's {@code eval_X} twin shares its panel,
 * drawn as points, unsmoothed.
 */
public final class MetricsPlot {

    /** The most panels a plot has: beyond six the panels get too small to read. */
    static final int MAX_PANELS = 6;

    /** Keys that are never curves: counters and bookkeeping. */
    static final Set<String> IGNORED = Set.of("step", "epoch", "num_tokens", "tokens_per_second", "skipped_steps",
            "ppo/epochs");
    /** Prefixes of bookkeeping keys: phase timings ({@code time/forward}) and memory. */
    static final List<String> IGNORED_PREFIXES = List.of("time/", "memory/");

    /**
     * The panels in the order drawn, each with the metric names that may fill it, first found wins
     * (SFT/DPO/RM names, TRL's PPO and GRPO names).
     */
    static final List<List<String>> PRIORITY = List.of(
            List.of("objective/scores", "reward", "rewards/margins", "eval_rewards/margins"),
            List.of("objective/kl", "kl", "eval_kl"),
            List.of("loss", "loss/policy", "eval_loss"),
            List.of("accuracy", "rewards/accuracies", "eval_accuracy", "eval_rewards/accuracies"),
            List.of("learning_rate"),
            List.of("grad_norm", "grad_norm/actor"));
    /** Curves worth a panel left free by {@link #PRIORITY}, before the file's other keys. */
    static final List<String> SECONDARY = List.of("response_length/mean", "completions/mean_length", "loss/value",
            "objective/entropy", "entropy", "nll_loss", "rewards/chosen", "rewards/rejected");

    /** Schedules, not noisy measurements: drawn as logged. */
    static final Set<String> UNSMOOTHED = Set.of("learning_rate", "objective/kl_coef");

    private static final int CHART_WIDTH = 720;
    private static final int CHART_HEIGHT = 440;
    private static final String EVAL = "eval_";
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40)};

    private MetricsPlot() {}

    /** One panel: its title and the metric keys drawn in it (a curve and its {@code eval_} twin). */
    record Panel(String title, List<String> keys) {}

    /**
     * The panels for a metrics file whose numeric keys are {@code keys} (in the order they first
     * appear): {@link #PRIORITY}, then {@link #SECONDARY}, then the other keys, at most
     * {@link #MAX_PANELS}. A pure function of the key names, so the choice is testable without drawing.
     */
    static List<Panel> choose(Set<String> keys) {
        List<Panel> panels = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        List<List<String>> candidates = new ArrayList<>(PRIORITY);
        SECONDARY.forEach(k -> candidates.add(List.of(k)));
        keys.forEach(k -> candidates.add(List.of(k)));
        for (List<String> names : candidates) {
            if (panels.size() == MAX_PANELS) {
                break;
            }
            String found = names.stream().filter(k -> keys.contains(k) && !used.contains(k) && isCurve(k))
                    .findFirst().orElse(null);
            if (found == null) {
                continue;
            }
            String train = found.startsWith(EVAL) ? found.substring(EVAL.length()) : found;
            List<String> drawn = new ArrayList<>();
            for (String k : List.of(train, EVAL + train)) {
                if (keys.contains(k) && used.add(k)) {
                    drawn.add(k);
                }
            }
            panels.add(new Panel(train, drawn));
        }
        return panels;
    }

    private static boolean isCurve(String key) {
        return !IGNORED.contains(key) && IGNORED_PREFIXES.stream().noneMatch(key::startsWith);
    }

    /** Metric name to its (step, value) points, in the order the keys first appear; non-finite values left out. */
    static Map<String, List<double[]>> series(List<JsonNode> lines) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            if (!line.has("step")) {
                continue;
            }
            double step = line.get("step").asDouble();
            for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (value.isNumber() && Double.isFinite(value.asDouble())) {
                    series.computeIfAbsent(field.getKey(), k -> new ArrayList<>())
                            .add(new double[] {step, value.asDouble()});
                }
            }
        }
        return series;
    }

    /**
     * The debiased exponential moving average of {@code y} (TensorBoard's smoothing):
     * {@code m_i = w m_(i-1) + (1 - w) y_i}, reported as {@code m_i / (1 - w^(i+1))} so the first
     * points are not pulled towards 0.
     */
    static double[] smooth(double[] y, double weight) {
        double[] out = new double[y.length];
        double m = 0;
        double bias = 1;
        for (int i = 0; i < y.length; i++) {
            m = weight * m + (1 - weight) * y[i];
            bias *= weight;
            out[i] = m / (1 - bias);
        }
        return out;
    }

    /** The smoothing weight for {@code n} points: more points, more smoothing. */
    static double weightFor(int n) {
        return n < 10 ? 0 : n < 50 ? 0.6 : n < 500 ? 0.85 : 0.95;
    }

    /**
     * Writes {@code png} from {@code metricsFile}; returns the panels' metric names, empty (and no
     * file) when there is nothing to draw.
     */
    public static List<String> write(Path metricsFile, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display on servers and CI
        Map<String, List<double[]>> series = series(MetricsLog.read(metricsFile));
        List<Panel> panels = choose(series.keySet());
        if (panels.isEmpty()) {
            return List.of();
        }
        List<XYChart> charts = new ArrayList<>();
        for (Panel panel : panels) {
            charts.add(chart(title, panel, series));
        }
        int columns = Math.min(2, charts.size());
        int rows = (charts.size() + columns - 1) / columns;
        while (charts.size() < rows * columns) { // the grid needs every cell filled
            charts.add(blank());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(charts, rows, columns, bytes, BitmapEncoder.BitmapFormat.PNG);
        Files.createDirectories(png.toAbsolutePath().getParent());
        AtomicFiles.writeBytes(png, bytes.toByteArray());
        return panels.stream().map(Panel::title).toList();
    }

    private static XYChart chart(String title, Panel panel, Map<String, List<double[]>> series) {
        XYChart xy = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title(title + ": " + panel.title()).xAxisTitle("step").yAxisTitle(panel.title()).build();
        xy.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        xy.getStyler().setLegendVisible(false);
        for (int i = 0; i < panel.keys().size(); i++) {
            String key = panel.keys().get(i);
            List<double[]> points = series.get(key);
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            Color color = COLORS[i % COLORS.length];
            if (key.startsWith(EVAL)) { // few points, already means over a split
                XYSeries s = xy.addSeries(key, x, y);
                s.setLineColor(color);
                s.setMarkerColor(color);
                s.setMarker(SeriesMarkers.CIRCLE);
                xy.getStyler().setLegendVisible(true);
                continue;
            }
            double weight = UNSMOOTHED.contains(key) ? 0 : weightFor(y.length);
            XYSeries raw = xy.addSeries(weight == 0 ? key : key + " (raw)", x, y);
            raw.setMarker(y.length > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if (weight == 0) {
                raw.setLineColor(color);
                raw.setMarkerColor(color);
                continue;
            }
            Color faint = new Color(color.getRed(), color.getGreen(), color.getBlue(), 70);
            raw.setLineColor(faint);
            raw.setMarkerColor(faint);
            raw.setShowInLegend(false);
            XYSeries smoothed = xy.addSeries(key, x, smooth(y, weight));
            smoothed.setLineColor(color);
            smoothed.setLineStyle(new BasicStroke(2.5f));
            smoothed.setMarker(SeriesMarkers.NONE);
        }
        return xy;
    }

    private static XYChart blank() {
        XYChart blank = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).build();
        blank.getStyler().setChartTitleVisible(false);
        blank.getStyler().setAxisTicksVisible(false);
        blank.getStyler().setLegendVisible(false);
        blank.getStyler().setPlotBorderVisible(false);
        blank.getStyler().setPlotGridLinesVisible(false);
        return blank;
    }
}
