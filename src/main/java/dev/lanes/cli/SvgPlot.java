package dev.lanes.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Standalone SVG line charts of training curves (loss, val_loss, accuracy per epoch) that any
 * browser shows, with no plotting library: one panel per metric group, shared epoch axis, "nice"
 * tick values, a legend, and gaps where a value is missing (NaN).
 */
final class SvgPlot {
    /** One line: a name and its value per epoch (index 0 = epoch 1). */
    record Series(String name, double[] values) {}

    /** One chart panel with its title and lines. */
    record Panel(String title, List<Series> series) {}

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
    private static final int WIDTH = 720, PANEL_HEIGHT = 300, MARGIN_LEFT = 70, MARGIN_RIGHT = 150,
            MARGIN_TOP = 36, MARGIN_BOTTOM = 44;

    private SvgPlot() {}

    static String render(String title, List<Panel> panels) {
        int height = panels.size() * PANEL_HEIGHT + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                MARGIN_LEFT, escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            panel(sb, panels.get(p), 30 + p * PANEL_HEIGHT);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(StringBuilder sb, Panel panel, int top) {
        int x0 = MARGIN_LEFT, x1 = WIDTH - MARGIN_RIGHT;
        int y0 = top + PANEL_HEIGHT - MARGIN_BOTTOM, y1 = top + MARGIN_TOP;
        int epochs = 1;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : panel.series()) {
            epochs = Math.max(epochs, s.values().length);
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!Double.isFinite(lo)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-12) {
            hi = lo + Math.max(1e-3, Math.abs(lo) * 0.1);
        }
        double[] ticks = niceTicks(lo, hi, 5);
        lo = Math.min(lo, ticks[0]);
        hi = Math.max(hi, ticks[ticks.length - 1]);
        final double ylo = lo, yhi = hi;
        final int n = epochs;
        java.util.function.DoubleUnaryOperator sx = e -> n == 1 ? (x0 + x1) / 2.0 : x0 + (e - 1) * (x1 - x0) / (n - 1.0);
        java.util.function.DoubleUnaryOperator sy = v -> y0 - (v - ylo) * (y0 - y1) / (yhi - ylo);

        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                x0, top + 22, escape(panel.title())));
        for (double t : ticks) {
            double y = sy.applyAsDouble(t);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    x0, y, x1, y, x0 - 6, y + 4, tickLabel(t)));
        }
        for (int e : epochTicks(n)) {
            double x = sx.applyAsDouble(e);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, y0, x, y0 + 5, x, y0 + 18, e));
        }
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                x0, y1, x1 - x0, y0 - y1));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>%n",
                (x0 + x1) / 2, y0 + 36));
        for (int i = 0; i < panel.series().size(); i++) {
            Series s = panel.series().get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (int e = 0; e < s.values().length; e++) {
                double v = s.values()[e];
                if (!Double.isFinite(v)) {
                    pen = false;
                    continue;
                }
                d.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f",
                        sx.applyAsDouble(e + 1), sy.applyAsDouble(v)));
                pen = true;
            }
            if (d.length() > 0) {
                sb.append(String.format(Locale.ROOT,
                        "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                        d.toString().trim(), color, s.name().startsWith("val_") ? " stroke-dasharray=\"6 3\"" : ""));
                for (int e = 0; e < s.values().length; e++) {
                    if (Double.isFinite(s.values()[e])) {
                        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                                sx.applyAsDouble(e + 1), sy.applyAsDouble(s.values()[e]), color));
                    }
                }
            }
            int ly = y1 + 14 + i * 18;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    x1 + 12, ly, x1 + 36, ly, color, s.name().startsWith("val_") ? " stroke-dasharray=\"6 3\"" : "",
                    x1 + 42, ly + 4, escape(s.name())));
        }
    }

    /** About {@code count} round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
    static double[] niceTicks(double lo, double hi, int count) {
        double raw = (hi - lo) / Math.max(1, count - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        List<Double> t = new ArrayList<>();
        for (double v = start; v <= end + step * 1e-9; v += step) {
            t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static int[] epochTicks(int epochs) {
        int step = Math.max(1, (int) Math.ceil(epochs / 10.0));
        List<Integer> t = new ArrayList<>();
        for (int e = 1; e <= epochs; e += step) t.add(e);
        if (t.get(t.size() - 1) != epochs) t.add(epochs);
        return t.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String tickLabel(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return String.format(Locale.ROOT, "%d", (long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
