package org.rlhf4j.datasets.jinja;

import java.util.List;
import java.util.Map;

/** A function a template can call: a global ({@code raise_exception}, {@code range}), a macro or a bound method. */
@FunctionalInterface
interface Callable {

    Object call(List<Object> args, Map<String, Object> kwargs);
}
