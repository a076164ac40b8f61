package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Jinja2's built-in filters and tests that chat templates use, with transformers' {@code tojson}
 * ({@code json.dumps} with {@code ensure_ascii=False}, not Jinja2's HTML-escaping one). An unknown
 * filter or test is an error naming it.
 */
final class Filters {

    private Filters() {}

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs,
            Function<String, Object> lookup) {
        Object a0 = arg(args, kwargs, 0, null);
        switch (name) {
            case "trim":
                return PythonStrings.strip(str(v), a0 == null ? null : (String) a0, true, true);
            case "length", "count":
                return (long) length(v);
            case "tojson": {
                Object indent = arg(args, kwargs, 0, "indent");
                return PythonValues.toJson(v, indent == null ? null : (int) PythonValues.toLong(indent),
                        PythonValues.truthy(kwargs.get("sort_keys")));
            }
            case "string":
                return PythonValues.str(v);
            case "default", "d": {
                boolean onFalse = PythonValues.truthy(arg(args, kwargs, 1, "boolean"));
                boolean missing = v instanceof Undefined || (onFalse && !PythonValues.truthy(v));
                return missing ? (a0 == null && args.isEmpty() && !kwargs.containsKey("default_value") ? "" : arg(args, kwargs, 0, "default_value")) : v;
            }
            case "first": {
                var it = PythonValues.iterate(v);
                return it.hasNext() ? it.next() : new Undefined("first item of an empty sequence");
            }
            case "last": {
                List<Object> items = list(v);
                return items.isEmpty() ? new Undefined("last item of an empty sequence") : items.get(items.size() - 1);
            }
            case "list":
                return list(v);
            case "join": {
                Object attribute = kwargs.get("attribute");
                List<String> parts = new ArrayList<>();
                for (Object x : list(v)) {
                    parts.add(PythonValues.str(attribute == null ? x : Members.item(x, attribute)));
                }
                return String.join(a0 == null ? "" : str(a0), parts);
            }
            case "upper":
                return str(v).toUpperCase(java.util.Locale.ROOT);
            case "lower":
                return str(v).toLowerCase(java.util.Locale.ROOT);
            case "capitalize":
                return PythonStrings.call(str(v), "capitalize", List.of(), Map.of());
            case "title":
                return PythonStrings.title(str(v));
            case "replace":
                return PythonStrings.replace(str(v), str(a0), str(args.get(1)),
                        args.size() > 2 ? PythonValues.toLong(args.get(2)) : -1);
            case "items":
                if (v instanceof Undefined) {
                    return List.of();
                }
                return Members.callMethod(v, "items", List.of(), Map.of());
            case "selectattr", "rejectattr": {
                boolean keep = name.equals("selectattr");
                List<Object> out = new ArrayList<>();
                for (Object x : list(v)) {
                    Object attr = Members.item(x, a0);
                    boolean passes = args.size() > 1
                            ? test(str(args.get(1)), attr, args.subList(2, args.size()), lookup)
                            : PythonValues.truthy(attr);
                    if (passes == keep) {
                        out.add(x);
                    }
                }
                return out;
            }
            case "select", "reject": {
                boolean keep = name.equals("select");
                List<Object> out = new ArrayList<>();
                for (Object x : list(v)) {
                    boolean passes = args.isEmpty() ? PythonValues.truthy(x)
                            : test(str(args.get(0)), x, args.subList(1, args.size()), lookup);
                    if (passes == keep) {
                        out.add(x);
                    }
                }
                return out;
            }
            case "map": {
                List<Object> out = new ArrayList<>();
                for (Object x : list(v)) {
                    if (kwargs.containsKey("attribute")) {
                        Object attr = Members.item(x, kwargs.get("attribute"));
                        out.add(attr instanceof Undefined && kwargs.containsKey("default") ? kwargs.get("default") : attr);
                    } else {
                        out.add(filter(str(a0), x, args.subList(1, args.size()), Map.of(), lookup));
                    }
                }
                return out;
            }
            case "indent":
                return indent(str(v), arg(args, kwargs, 0, "width"), PythonValues.truthy(arg(args, kwargs, 1, "first")),
                        PythonValues.truthy(arg(args, kwargs, 2, "blank")));
            case "safe", "e", "escape":
                return name.equals("safe") ? v : escape(str(v));
            case "int":
                return toInt(v, a0);
            case "float":
                return v instanceof String s ? Double.parseDouble(s.strip()) : PythonValues.toDouble(v);
            case "abs":
                return v instanceof Double d ? Math.abs(d) : Math.abs(PythonValues.toLong(v));
            case "reverse": {
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                List<Object> items = list(v);
                java.util.Collections.reverse(items);
                return items;
            }
            case "sort": {
                List<Object> items = list(v);
                Object attribute = kwargs.get("attribute");
                Comparator<Object> order = (x, y) -> PythonValues.compare(
                        attribute == null ? x : Members.item(x, attribute), attribute == null ? y : Members.item(y, attribute));
                items.sort(PythonValues.truthy(kwargs.get("reverse")) ? order.reversed() : order);
                return items;
            }
            case "unique":
                return new ArrayList<>(new LinkedHashSet<>(list(v)));
            case "dictsort": {
                List<Object> items = list(Members.callMethod(v, "items", List.of(), Map.of()));
                items.sort((x, y) -> PythonValues.compare(((List<?>) x).get(0), ((List<?>) y).get(0)));
                return items;
            }
            case "sum":
                return list(v).stream().reduce(0L, (x, y) -> Operators.binary("+", x, y));
            case "min", "max": {
                List<Object> items = list(v);
                Comparator<Object> order = PythonValues::compare;
                return items.isEmpty() ? new Undefined("min/max of an empty sequence")
                        : name.equals("min") ? items.stream().min(order).get() : items.stream().max(order).get();
            }
            case "round": {
                double x = PythonValues.toDouble(v);
                long digits = a0 == null ? 0 : PythonValues.toLong(a0);
                return new java.math.BigDecimal(x).setScale((int) digits, java.math.RoundingMode.HALF_EVEN).doubleValue();
            }
            case "wordcount":
                return (long) PythonStrings.split(str(v), null, -1).size();
            default:
                throw new IllegalArgumentException("no filter named '" + name + "'");
        }
    }

    private static String str(Object v) {
        Operators.failOnUndefined(v);
        return PythonValues.str(v);
    }

    private static Object arg(List<Object> args, Map<String, Object> kwargs, int i, String key) {
        if (i < args.size()) {
            return args.get(i);
        }
        return key == null ? null : kwargs.get(key);
    }

    static int length(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined) {
            return 0;
        }
        throw new IllegalArgumentException("object of type '" + PythonValues.typeName(v) + "' has no len()");
    }

    private static List<Object> list(Object v) {
        List<Object> items = new ArrayList<>();
        PythonValues.iterate(v).forEachRemaining(items::add);
        return items;
    }

    private static Object toInt(Object v, Object fallback) {
        try {
            if (v instanceof String s) {
                return Long.parseLong(s.strip());
            }
            if (v instanceof Double d) {
                return (long) d.doubleValue();
            }
            return PythonValues.toLong(v);
        } catch (RuntimeException e) {
            return fallback == null ? 0L : fallback;
        }
    }

    /** Jinja2 3.1's indent: the first line and (unless {@code blank}) blank lines stay as they are. */
    private static String indent(String s, Object width, boolean first, boolean blank) {
        String pad = width instanceof String w ? w : " ".repeat(width == null ? 4 : (int) PythonValues.toLong(width));
        List<String> lines = new ArrayList<>(List.of((s + "\n").split("\r\n|\n|\r", -1)));
        lines.remove(lines.size() - 1);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            rv.append(String.join("\n" + pad, lines));
        } else {
            rv.append(lines.get(0));
            for (String line : lines.subList(1, lines.size())) {
                rv.append('\n').append(line.isEmpty() ? line : pad + line);
            }
        }
        return first ? pad + rv : rv.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&#34;");
    }

    /** Jinja2's tests ({@code is defined}, {@code is string}, ...). */
    static boolean test(String name, Object v, List<Object> args, Function<String, Object> lookup) {
        Object a0 = args.isEmpty() ? null : args.get(0);
        switch (name) {
            case "defined":
                return !(v instanceof Undefined);
            case "undefined":
                return v instanceof Undefined;
            case "none":
                return v == null;
            case "string":
                return v instanceof String;
            case "number":
                return v instanceof Long || v instanceof Double || v instanceof Integer;
            case "integer":
                return v instanceof Long || v instanceof Integer;
            case "float":
                return v instanceof Double;
            case "boolean":
                return v instanceof Boolean;
            case "true":
                return Boolean.TRUE.equals(v);
            case "false":
                return Boolean.FALSE.equals(v);
            case "mapping":
                return v instanceof Map || v instanceof Namespace;
            case "sequence":
                return v instanceof List || v instanceof String || v instanceof Map;
            case "iterable":
                return v instanceof List || v instanceof String || v instanceof Map;
            case "callable":
                return v instanceof Callable;
            case "equalto", "eq", "==", "sameas":
                return PythonValues.equal(v, a0);
            case "ne", "!=":
                return !PythonValues.equal(v, a0);
            case "lt", "<", "lessthan":
                return PythonValues.compare(v, a0) < 0;
            case "le", "<=":
                return PythonValues.compare(v, a0) <= 0;
            case "gt", ">", "greaterthan":
                return PythonValues.compare(v, a0) > 0;
            case "ge", ">=":
                return PythonValues.compare(v, a0) >= 0;
            case "in":
                return Operators.contains(a0, v);
            case "odd":
                return Math.floorMod(PythonValues.toLong(v), 2) == 1;
            case "even":
                return Math.floorMod(PythonValues.toLong(v), 2) == 0;
            case "divisibleby":
                return PythonValues.toLong(v) % PythonValues.toLong(a0) == 0;
            case "lower":
                return v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper":
                return v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            default:
                throw new IllegalArgumentException("no test named '" + name + "'");
        }
    }
}
