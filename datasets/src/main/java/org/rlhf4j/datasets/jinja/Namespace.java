package org.rlhf4j.datasets.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** Jinja2's {@code namespace(...)}: the one object a template may change, with {@code set ns.attr = value}. */
final class Namespace {

    final Map<String, Object> attributes = new LinkedHashMap<>();
}
