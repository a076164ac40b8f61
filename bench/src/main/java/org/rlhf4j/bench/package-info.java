/** Benchmarks run with {@code ./bench/run NAME}; they print figures and are never part of the test suite. */
package org.rlhf4j.bench;
