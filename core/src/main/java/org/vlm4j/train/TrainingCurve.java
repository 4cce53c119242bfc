package org.vlm4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training-curve PNG written at the end of a run (XChart): loss per step, and its moving average. */
public final class TrainingCurve {
    private TrainingCurve() {}

    public static void write(List<StepMetrics> history, Path png, String title) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (StepMetrics m : history) {
            if (!m.skipped()) {
                x.add((double) m.step());
                y.add((double) m.loss());
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("step")
                .yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(true);
        chart.addSeries("loss", x, y).setMarker(SeriesMarkers.NONE);
        int w = Math.max(1, x.size() / 20);
        List<Double> smooth = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            sum += y.get(i);
            if (i >= w) {
                sum -= y.get(i - w);
            }
            smooth.add(sum / Math.min(i + 1, w));
        }
        chart.addSeries("moving average (" + w + ")", x, smooth).setMarker(SeriesMarkers.NONE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
