package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.training.MetricsLog;

/**
 * Draws a training stage's {@code metrics.jsonl} as one PNG: a grid with one chart per metric
 * against the step, whatever metrics the file has ({@code loss}, {@code objective/kl},
 * {@code rewards/accuracies}, ...). A metric {@code X} and its {@code eval_X} share a chart;
 * bookkeeping keys ({@link #IGNORED}, the {@code time/} timings) are left out.
 */
public final class MetricsPlot {

    /** Keys that are not training curves. */
    static final Set<String> IGNORED = Set.of("step", "epoch", "num_tokens", "tokens_per_second", "learning_rate",
            "skipped_steps");
    /** The prefix of the phase timings ({@code time/forward}, ...): bookkeeping, not curves. */
    static final String TIMES = "time/";

    private static final int CHART_WIDTH = 480;
    private static final int CHART_HEIGHT = 320;

    private MetricsPlot() {}

    /** Curve name to (step, value) points, in the order keys first appear; eval_X folded under X. */
    static Map<String, Map<String, List<double[]>>> curves(List<JsonNode> lines) {
        Map<String, Map<String, List<double[]>>> charts = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            if (!line.has("step")) {
                continue;
            }
            double step = line.get("step").asDouble();
            for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String key = field.getKey();
                if (IGNORED.contains(key) || key.startsWith(TIMES) || !field.getValue().isNumber() || !Double.isFinite(field.getValue().asDouble())) {
                    continue;
                }
                String chart = key.startsWith("eval_") ? key.substring("eval_".length()) : key;
                charts.computeIfAbsent(chart, k -> new LinkedHashMap<>())
                        .computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new double[] {step, field.getValue().asDouble()});
            }
        }
        return charts;
    }

    /**
     * Writes {@code png} from {@code metricsFile}; returns the charted metric names, empty (and no
     * file) when there is nothing to draw.
     */
    public static List<String> write(Path metricsFile, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display on servers and CI
        Map<String, Map<String, List<double[]>>> curves = curves(MetricsLog.read(metricsFile));
        if (curves.isEmpty()) {
            return List.of();
        }
        List<XYChart> charts = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<double[]>>> chart : curves.entrySet()) {
            XYChart xy = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                    .title(title + ": " + chart.getKey()).xAxisTitle("step").yAxisTitle(chart.getKey()).build();
            xy.getStyler().setLegendVisible(chart.getValue().size() > 1);
            xy.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
            for (Map.Entry<String, List<double[]>> series : chart.getValue().entrySet()) {
                double[] x = series.getValue().stream().mapToDouble(p -> p[0]).toArray();
                double[] y = series.getValue().stream().mapToDouble(p -> p[1]).toArray();
                XYSeries s = xy.addSeries(series.getKey(), x, y);
                s.setMarker(x.length > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            }
            charts.add(xy);
        }
        int columns = Math.min(2, charts.size());
        int rows = (charts.size() + columns - 1) / columns;
        while (charts.size() < rows * columns) { // the grid needs every cell filled
            XYChart blank = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).build();
            blank.getStyler().setChartTitleVisible(false);
            blank.getStyler().setAxisTicksVisible(false);
            blank.getStyler().setLegendVisible(false);
            blank.getStyler().setPlotBorderVisible(false);
            blank.getStyler().setPlotGridLinesVisible(false);
            charts.add(blank);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(charts, rows, columns, bytes, BitmapEncoder.BitmapFormat.PNG);
        java.nio.file.Files.createDirectories(png.toAbsolutePath().getParent());
        AtomicFiles.writeBytes(png, bytes.toByteArray());
        return List.copyOf(curves.keySet());
    }
}
