/**
 * What the modules' tests and the benchmarks share: end-to-end learning scenarios on tiny models,
 * each with the criteria its test asserts, so that {@code bench/run learning-seeds} can measure
 * the same figures over many seeds and show how far every threshold sits below their spread; and
 * the fixtures those tests share, such as seeded tiny models ({@link org.rlhf4j.testing.TinyModels}).
 */
package org.rlhf4j.testing;
