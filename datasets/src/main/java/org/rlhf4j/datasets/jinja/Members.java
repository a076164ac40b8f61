package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attribute, item and slice access, and the Python methods templates call on strings and dicts
 * ({@code strip}, {@code split}, {@code startswith}, {@code items()}, ...). Nothing reaches Java
 * reflection: an unknown method is an error, as in Jinja2's sandbox, and lists and dicts cannot be
 * changed ({@code ImmutableSandboxedEnvironment}).
 */
final class Members {

    private Members() {}

    private static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit",
            "startswith", "endswith", "replace", "upper", "lower", "title", "capitalize", "find", "rfind", "count",
            "join", "splitlines", "isdigit", "isalpha", "isspace", "isupper", "islower", "format", "index");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get");

    /** {@code obj.name}: Python attribute first (methods of str and dict), then the dict item. */
    static Object attribute(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw new IllegalArgumentException(u.message() + " (while reading its attribute '" + name + "')");
        }
        if (obj instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name) : new Undefined("namespace attribute '" + name + "'");
        }
        if ((obj instanceof String && STRING_METHODS.contains(name)) || (obj instanceof Map && DICT_METHODS.contains(name))) {
            return (Callable) (args, kwargs) -> callMethod(obj, name, args, kwargs);
        }
        if (obj instanceof Map<?, ?> m) {
            return m.containsKey(name) ? m.get(name) : new Undefined("'dict object' has no attribute '" + name + "'");
        }
        return new Undefined("'" + PythonValues.typeName(obj) + " object' has no attribute '" + name + "'");
    }

    /** {@code obj[key]}: the item, then (for a string key) the attribute. */
    static Object item(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw new IllegalArgumentException(u.message() + " (while reading its item " + PythonValues.repr(key) + ")");
        }
        if (obj instanceof Map<?, ?> m) {
            if (m.containsKey(key)) {
                return m.get(key);
            }
            return key instanceof String s ? attribute(obj, s) : new Undefined("'dict object' has no attribute " + PythonValues.repr(key));
        }
        if ((obj instanceof List || obj instanceof String) && PythonValues.isNumber(key) && !(key instanceof Double)) {
            List<?> seq = sequence(obj);
            long i = PythonValues.toLong(key);
            if (i < 0) {
                i += seq.size();
            }
            if (i < 0 || i >= seq.size()) {
                return new Undefined(PythonValues.typeName(obj) + " index " + key + " (out of range)");
            }
            return seq.get((int) i);
        }
        if (key instanceof String s) {
            return attribute(obj, s);
        }
        return new Undefined("'" + PythonValues.typeName(obj) + " object' has no item " + PythonValues.repr(key));
    }

    /** Python's {@code seq[start:stop:step]} on a list or string. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        Operators.failOnUndefined(obj);
        List<?> seq = sequence(obj);
        int n = seq.size();
        long st = step == null ? 1 : PythonValues.toLong(step);
        if (st == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(PythonValues.toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(PythonValues.toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(PythonValues.toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(PythonValues.toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(seq.get((int) i));
        }
        if (obj instanceof String) {
            return String.join("", out.stream().map(String.class::cast).toList());
        }
        return out;
    }

    private static long clamp(long index, int n, long min, long max) {
        long i = index < 0 ? index + n : index;
        return Math.max(min, Math.min(max, i));
    }

    private static List<?> sequence(Object obj) {
        if (obj instanceof List<?> l) {
            return l;
        }
        if (obj instanceof String s) {
            return s.codePoints().mapToObj(Character::toString).toList();
        }
        throw new IllegalArgumentException("'" + PythonValues.typeName(obj) + "' object is not subscriptable");
    }

    /** Calls {@code obj.name(args)}: a str or dict method, or a callable attribute. */
    static Object callMethod(Object obj, String name, List<Object> args, Map<String, Object> kwargs) {
        if (obj instanceof String s && STRING_METHODS.contains(name)) {
            return PythonStrings.call(s, name, args, kwargs);
        }
        if (obj instanceof Map<?, ?> m && DICT_METHODS.contains(name)) {
            switch (name) {
                case "items":
                    return m.entrySet().stream().map(e -> (Object) java.util.Arrays.asList(e.getKey(), e.getValue())).toList();
                case "keys":
                    return new ArrayList<Object>(m.keySet());
                case "values":
                    return new ArrayList<Object>(m.values());
                default: // get
                    Object key = args.get(0);
                    return m.containsKey(key) ? m.get(key) : args.size() > 1 ? args.get(1) : null;
            }
        }
        if (obj instanceof List && Set.of("append", "extend", "pop", "insert", "remove", "clear", "sort", "reverse").contains(name)) {
            throw new IllegalArgumentException("access to attribute '" + name + "' of 'list' object is unsafe"
                    + " (the sandbox makes lists read-only, as transformers' ImmutableSandboxedEnvironment does)");
        }
        Object attr = attribute(obj, name);
        if (attr instanceof Callable f) {
            return f.call(args, kwargs);
        }
        if (attr instanceof Undefined u) {
            throw new IllegalArgumentException(u.message());
        }
        throw new IllegalArgumentException("'" + PythonValues.typeName(attr) + "' object is not callable");
    }
}
