package org.rlhf4j.bench;

/**
 * Command-line options of {@link TrainStepBenchmark}.
 *
 * @param threads libtorch intra-op threads; 0 leaves libtorch's default (one per core)
 * @param steps measured training steps
 * @param warmup untimed steps before them (first-call allocations, lazy kernel set-up)
 * @param batch sequences per step (B)
 * @param seq tokens per sequence fed to the model (T); the loss predicts each next token
 */
public record BenchmarkOptions(int threads, int steps, int warmup, int batch, int seq) {

    public static final String USAGE = "usage: bench/run train-step [--threads N] [--steps N (20)] [--warmup N (3)]"
            + " [--batch N (8)] [--seq N (256)]";

    public BenchmarkOptions {
        requireAtLeast("--threads", threads, 0);
        requireAtLeast("--steps", steps, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--batch", batch, 1);
        requireAtLeast("--seq", seq, 2);
    }

    /** The fixed benchmark shape: B 8, T 256, 20 steps after 3 warm-up steps, libtorch's thread default. */
    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(0, 20, 3, 8, 256);
    }

    /**
     * Parses {@code --name N} and {@code --name=N} flags over {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the flag that is unknown, lacks a value or is not a number
     */
    public static BenchmarkOptions parse(String[] args) {
        int threads = defaults().threads();
        int steps = defaults().steps();
        int warmup = defaults().warmup();
        int batch = defaults().batch();
        int seq = defaults().seq();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int equals = flag.indexOf('=');
            if (equals > 0) {
                value = flag.substring(equals + 1);
                flag = flag.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
            }
            switch (flag) {
                case "--threads" -> threads = number(flag, value);
                case "--steps" -> steps = number(flag, value);
                case "--warmup" -> warmup = number(flag, value);
                case "--batch" -> batch = number(flag, value);
                case "--seq" -> seq = number(flag, value);
                default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
            }
        }
        return new BenchmarkOptions(threads, steps, warmup, batch, seq);
    }

    /** Tokens whose next token is predicted per step, B * T. */
    public long tokensPerStep() {
        return (long) batch * seq;
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " expects a whole number, got '" + value + "'");
        }
    }

    private static void requireAtLeast(String flag, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(flag + " must be >= " + min + ", got " + value);
        }
    }
}
