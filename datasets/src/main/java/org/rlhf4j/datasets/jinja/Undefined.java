package org.rlhf4j.datasets.jinja;

/**
 * Jinja2's default {@code Undefined}: a missing variable, key or attribute. It prints as nothing,
 * is false, iterates as empty and has length 0; any other use (an attribute of it, arithmetic)
 * is an error naming what was missing.
 */
record Undefined(String what) {

    String message() {
        return what + " is undefined";
    }
}
