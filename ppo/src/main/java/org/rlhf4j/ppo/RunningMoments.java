package org.rlhf4j.ppo;

/**
 * Mean and variance of every value seen so far, merged batch by batch with Chan et al.'s
 * parallel update, for reward normalisation across iterations (TRL's and OpenRLHF's
 * {@code RunningMoments}). The state is three numbers, saved with the checkpoint.
 *
 * @param count values seen
 * @param mean their mean
 * @param m2 sum of squared deviations from the mean
 */
public record RunningMoments(long count, double mean, double m2) {

    public static RunningMoments empty() {
        return new RunningMoments(0, 0, 0);
    }

    /** These moments with {@code batch} folded in. */
    public RunningMoments update(double[] batch) {
        if (batch.length == 0) {
            return this;
        }
        double batchMean = 0;
        for (double x : batch) {
            batchMean += x;
        }
        batchMean /= batch.length;
        double batchM2 = 0;
        for (double x : batch) {
            batchM2 += (x - batchMean) * (x - batchMean);
        }
        long total = count + batch.length;
        double delta = batchMean - mean;
        double newMean = mean + delta * batch.length / total;
        double newM2 = m2 + batchM2 + delta * delta * count * batch.length / total;
        return new RunningMoments(total, newMean, newM2);
    }

    /** The unbiased standard deviation (1 before two values were seen). */
    public double std() {
        return count < 2 ? 1 : Math.sqrt(m2 / (count - 1));
    }
}
