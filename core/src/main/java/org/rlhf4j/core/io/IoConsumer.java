package org.rlhf4j.core.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}, e.g. a callback that writes extra files into a
 * model directory before it is renamed into place.
 *
 * @param <T> what is consumed
 */
@FunctionalInterface
public interface IoConsumer<T> {

    /** Does the work; an exception aborts whatever write this consumer is part of. */
    void accept(T value) throws IOException;

    /** A consumer that does nothing. */
    static <T> IoConsumer<T> none() {
        return value -> { };
    }
}
