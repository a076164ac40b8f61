package org.rlhf4j.ppo;

/**
 * Whitening over the valid entries of a batch: {@code (x - mean) / sqrt(var + 1e-8)} with the
 * unbiased variance (TRL's {@code masked_whiten}), optionally adding the mean back. Masked entries
 * come out 0. With fewer than two valid entries the variance is undefined and the entries are only
 * centred.
 */
public final class Whitening {

    private static final double EPS = 1e-8;

    private Whitening() {}

    /** Whitens the entries of {@code x} where {@code mask} is non-zero; {@code shiftMean} false keeps the mean. */
    public static double[][] masked(double[][] x, double[][] mask, boolean shiftMean) {
        double sum = 0;
        long n = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                if (mask[i][j] != 0) {
                    sum += x[i][j];
                    n++;
                }
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double squares = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                if (mask[i][j] != 0) {
                    squares += (x[i][j] - mean) * (x[i][j] - mean);
                }
            }
        }
        double scale = n < 2 ? 1 : 1 / Math.sqrt(squares / (n - 1) + EPS);
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                if (mask[i][j] != 0) {
                    out[i][j] = (x[i][j] - mean) * scale + (shiftMean ? 0 : mean);
                }
            }
        }
        return out;
    }

    /** Whitens every entry of {@code x} (one score per row). */
    public static double[] of(double[] x) {
        double[][] mask = new double[][] {new double[x.length]};
        java.util.Arrays.fill(mask[0], 1);
        return masked(new double[][] {x}, mask, true)[0];
    }
}
