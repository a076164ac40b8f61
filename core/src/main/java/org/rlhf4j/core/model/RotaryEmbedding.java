package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding with transformers' {@code rotate_half} convention: the head
 * dimension is split into a first and a second half (not interleaved pairs), and dimension
 * {@code i} of the first half rotates together with dimension {@code i} of the second half at
 * angle {@code position * inv_freq[i]}.
 *
 * <p>The frequencies ({@code rope_theta}, optionally Llama 3.1's {@code llama3} scaling) are
 * computed once in Java doubles and rounded to float32.
 */
public final class RotaryEmbedding {

    private final int headDim;
    // [-inv_freq, +inv_freq]: one angle array then yields cos (even) and the sign-flipped sin that
    // rotate_half needs (odd), so rotation is x * cos + swapHalves(x) * signedSin.
    private final float[] signedFrequencies;

    /** The cos and sign-adjusted sin of every position's angles, (B, T, 1, hd), in the compute dtype. */
    public record Angles(NDArray cos, NDArray signedSin) {}

    /** Frequencies for {@code config}'s head size, theta and scaling. */
    public RotaryEmbedding(LlamaConfig config) {
        this.headDim = config.headDim();
        double[] inv = inverseFrequencies(config);
        this.signedFrequencies = new float[headDim];
        for (int i = 0; i < inv.length; i++) {
            signedFrequencies[i] = (float) -inv[i];
            signedFrequencies[i + inv.length] = (float) inv[i];
        }
    }

    /**
     * The {@code head_dim / 2} inverse frequencies {@code theta^(-2i/hd)}, with the {@code llama3}
     * rope scaling applied when configured: wavelengths longer than
     * {@code original / low_freq_factor} are slowed by {@code factor}, shorter than
     * {@code original / high_freq_factor} are kept, and in between the two are blended with
     * {@code smooth = (original / wavelength - low) / (high - low)}.
     */
    public static double[] inverseFrequencies(LlamaConfig config) {
        int half = config.headDim() / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim());
        }
        RopeScaling scaling = config.ropeScaling();
        if (scaling != null && scaling.isLlama3()) {
            double factor = scaling.factor();
            double low = scaling.lowFreqFactor();
            double high = scaling.highFreqFactor();
            double original = scaling.originalMaxPositionEmbeddings();
            double lowFreqWavelength = original / low;
            double highFreqWavelength = original / high;
            for (int i = 0; i < half; i++) {
                double wavelength = 2 * Math.PI / inv[i];
                if (wavelength > lowFreqWavelength) {
                    inv[i] = inv[i] / factor;
                } else if (wavelength >= highFreqWavelength) {
                    double smooth = (original / wavelength - low) / (high - low);
                    inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                }
            }
        }
        return inv;
    }

    /** Angles for {@code positionIds} (B, T), any integer or float dtype, cast to {@code dtype}. */
    public Angles angles(NDArray positionIds, DataType dtype) {
        NDManager manager = positionIds.getManager();
        Shape shape = positionIds.getShape();
        NDArray frequencies = manager.create(signedFrequencies, new Shape(1, 1, 1, headDim)); // (1, 1, 1, hd)
        NDArray positions = positionIds.toType(DataType.FLOAT32, false)
                .reshape(shape.get(0), shape.get(1), 1, 1); // (B, T, 1, 1)
        NDArray angles = positions.mul(frequencies); // (B, T, 1, hd)
        return new Angles(angles.cos().toType(dtype, false), angles.sin().toType(dtype, false));
    }

    /**
     * The rotation of each position as an (hd, hd) matrix {@code R}, so that {@code x R} rotates
     * a row vector {@code x} as {@link #apply} does: for {@code i < hd/2},
     * {@code R[i][i] = R[i+h][i+h] = cos}, {@code R[i+h][i] = -sin} and {@code R[i][i+h] = sin}.
     * One batched matmul then rotates all heads of a decode step, where {@link #apply} takes six
     * ops; the angle is the same float32 product {@code position * inv_freq}.
     *
     * @param positions one position per row
     * @return (B, hd, hd) row-major, B = {@code positions.length}
     */
    public float[] rotations(long[] positions) {
        int half = headDim / 2;
        float[] matrices = new float[positions.length * headDim * headDim];
        for (int b = 0; b < positions.length; b++) {
            int base = b * headDim * headDim;
            for (int i = 0; i < half; i++) {
                float angle = (float) positions[b] * signedFrequencies[i + half];
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                matrices[base + i * headDim + i] = cos;
                matrices[base + (i + half) * headDim + i + half] = cos;
                matrices[base + (i + half) * headDim + i] = -sin;
                matrices[base + i * headDim + i + half] = sin;
            }
        }
        return matrices;
    }

    /** Rotates {@code x} (B, T, heads, hd) by {@code angles}. */
    public static NDArray apply(NDArray x, Angles angles) {
        Shape shape = x.getShape();
        long half = shape.get(3) / 2;
        // (first, second) -> (second, first); times [-sin, sin] gives rotate_half(x) * sin.
        NDArray swapped = x.reshape(shape.get(0), shape.get(1), shape.get(2), 2, half)
                .flip(3)
                .reshape(shape); // (B, T, heads, hd)
        return x.mul(angles.cos()).add(swapped.mul(angles.signedSin()));
    }
}
