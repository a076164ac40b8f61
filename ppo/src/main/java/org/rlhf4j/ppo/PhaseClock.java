package org.rlhf4j.ppo;

/** Where one iteration's time went, per phase, nanoseconds (filled by the trainer's phases). */
final class PhaseClock {
    long generation;
    long reference;
    long critic;
    long rewards;
    long training;

    /** Scoring: the reference, the critic and the reward sources. */
    long scoring() {
        return reference + critic + rewards;
    }

    PpoTrainer.IterationTimings finish(long total, long responseTokens) {
        return new PpoTrainer.IterationTimings(generation, reference, critic, rewards, training, total, responseTokens);
    }
}
