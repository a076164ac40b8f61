package org.rlhf4j.datasets.jinja;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's meaning of the values a template sees ({@code str}, {@code int}, {@code float}, {@code bool},
 * {@code None}, {@code list}, {@code dict}): truth, {@code str()}, {@code repr()}, equality, ordering
 * and {@code json.dumps} as transformers' {@code tojson} calls it. Values are Java {@link String},
 * {@link Long}, {@link Double}, {@link Boolean}, {@code null}, {@link List} and {@link Map}.
 */
final class PythonValues {

    private PythonValues() {}

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str(v)}; Undefined is the empty string. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            return stringRepr(s);
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (v instanceof Undefined) {
            return "";
        }
        if (v instanceof Namespace ns) {
            return "<Namespace " + repr(ns.attributes) + ">";
        }
        return String.valueOf(v);
    }

    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(quote).toString();
    }

    /** Python's float repr: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-4 && abs < 1e16) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        int exponent = exact.precision() - exact.scale() - 1;
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    /** Python's {@code ==}: numbers by value (True == 1), sequences and dicts element-wise. */
    static boolean equal(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumber(a) && isNumber(b)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Python's ordering of two numbers or two strings (by code point). */
    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y); // UTF-16 order equals code point order outside surrogates
        }
        throw new IllegalArgumentException("'<' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    /** bool counts as a number, as in Python. */
    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof Integer;
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException("expected an integer, got " + typeName(v) + " " + repr(v));
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long || v instanceof Integer) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        return v.getClass().getSimpleName();
    }

    /** Python's {@code str.isspace()} for one character (includes U+00A0, unlike {@link Character#isWhitespace}). */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || (c >= 0x1c && c <= 0x1f) || c == 0x85;
    }

    /**
     * {@code json.dumps(v, ensure_ascii=False, indent=indent, sort_keys=sortKeys)}: separators
     * {@code ", "} and {@code ": "}, or {@code ","} and {@code ": "} with an indent.
     */
    static String toJson(Object v, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, v, indent, sortKeys, 0);
        return sb.toString();
    }

    private static void writeJson(StringBuilder sb, Object v, Integer indent, boolean sortKeys, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Integer) {
            sb.append(v);
        } else if (v instanceof Double d) {
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
        } else if (v instanceof String s) {
            jsonString(sb, s);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : indent == null ? ", " : ",");
                newline(sb, indent, depth + 1);
                writeJson(sb, l.get(i), indent, sortKeys, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            Iterable<? extends Map.Entry<?, ?>> entries = m.entrySet();
            if (sortKeys) {
                entries = new java.util.TreeMap<>(m).entrySet().stream().map(e -> (Map.Entry<?, ?>) e).toList();
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                sb.append(first ? "" : indent == null ? ", " : ",");
                first = false;
                newline(sb, indent, depth + 1);
                Object key = e.getKey();
                jsonString(sb, key instanceof String s ? s : toJson(key, null, false));
                sb.append(": ");
                writeJson(sb, e.getValue(), indent, sortKeys, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append('}');
        } else if (v instanceof Namespace || v instanceof Undefined) {
            throw new IllegalArgumentException("Object of type " + typeName(v) + " is not JSON serializable");
        } else {
            throw new IllegalArgumentException("Object of type " + typeName(v) + " is not JSON serializable");
        }
    }

    private static void newline(StringBuilder sb, Integer indent, int depth) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Iterates a value as Python's {@code for}: a list's items, a dict's keys, a string's characters. */
    static Iterator<?> iterate(Object v) {
        if (v instanceof List<?> l) {
            return l.iterator();
        }
        if (v instanceof Map<?, ?> m) {
            return m.keySet().iterator();
        }
        if (v instanceof String s) {
            return s.codePoints().mapToObj(Character::toString).iterator();
        }
        if (v instanceof Undefined) {
            return List.of().iterator();
        }
        throw new IllegalArgumentException("'" + typeName(v) + "' object is not iterable");
    }
}
