package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's arithmetic, concatenation and comparison operators on template values. */
final class Operators {

    private Operators() {}

    static Object binary(String op, Object a, Object b) {
        if (op.equals("~")) {
            return PythonValues.str(a) + PythonValues.str(b);
        }
        failOnUndefined(a);
        failOnUndefined(b);
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) {
                return x + y;
            }
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> sum = new ArrayList<>(x);
                sum.addAll(y);
                return sum;
            }
        }
        if (op.equals("*") && a instanceof String s && isInt(b)) {
            return s.repeat((int) Math.max(0, PythonValues.toLong(b)));
        }
        if (op.equals("%") && a instanceof String s) {
            return percentFormat(s, b);
        }
        if (!PythonValues.isNumber(a) || !PythonValues.isNumber(b)) {
            throw new IllegalArgumentException("unsupported operand type(s) for " + op + ": '"
                    + PythonValues.typeName(a) + "' and '" + PythonValues.typeName(b) + "'");
        }
        boolean ints = isInt(a) && isInt(b);
        switch (op) {
            case "/":
                return PythonValues.toDouble(a) / PythonValues.toDouble(b);
            case "**":
                return ints && PythonValues.toLong(b) >= 0 ? (Object) (long) Math.pow(PythonValues.toLong(a), PythonValues.toLong(b))
                        : Math.pow(PythonValues.toDouble(a), PythonValues.toDouble(b));
            default:
                break;
        }
        if (ints) {
            long x = PythonValues.toLong(a);
            long y = PythonValues.toLong(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floorDiv(x, y);
                case "%" -> Math.floorMod(x, y);
                default -> throw new IllegalArgumentException("unknown operator " + op);
            };
        }
        double x = PythonValues.toDouble(a);
        double y = PythonValues.toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "//" -> Math.floor(x / y);
            case "%" -> x - y * Math.floor(x / y);
            default -> throw new IllegalArgumentException("unknown operator " + op);
        };
    }

    private static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Boolean;
    }

    /** {@code '%s' % x} and {@code '%d' % x}: the forms templates use. */
    private static String percentFormat(String format, Object args) {
        List<?> values = args instanceof List<?> l ? l : List.of(args);
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char spec = format.charAt(++i);
            switch (spec) {
                case '%' -> sb.append('%');
                case 's' -> sb.append(PythonValues.str(values.get(next++)));
                case 'r' -> sb.append(PythonValues.repr(values.get(next++)));
                case 'd' -> sb.append((long) PythonValues.toDouble(values.get(next++)));
                default -> throw new IllegalArgumentException("unsupported format character '" + spec + "'");
            }
        }
        return sb.toString();
    }

    static Object negate(Object v) {
        failOnUndefined(v);
        if (v instanceof Double d) {
            return -d;
        }
        return -PythonValues.toLong(v);
    }

    static boolean compare(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> PythonValues.equal(a, b);
            case "!=" -> !PythonValues.equal(a, b);
            case "<" -> ordered(a, b) < 0;
            case ">" -> ordered(a, b) > 0;
            case "<=" -> ordered(a, b) <= 0;
            case ">=" -> ordered(a, b) >= 0;
            case "in" -> contains(b, a);
            case "not in" -> !contains(b, a);
            default -> throw new IllegalArgumentException("unknown comparison " + op);
        };
    }

    private static int ordered(Object a, Object b) {
        failOnUndefined(a);
        failOnUndefined(b);
        return PythonValues.compare(a, b);
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        failOnUndefined(container);
        if (container instanceof String s) {
            if (!(item instanceof String sub)) {
                throw new IllegalArgumentException("'in <string>' requires string as left operand, not "
                        + PythonValues.typeName(item));
            }
            return s.contains(sub);
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        if (container instanceof List<?> l) {
            return l.stream().anyMatch(x -> PythonValues.equal(x, item));
        }
        throw new IllegalArgumentException("argument of type '" + PythonValues.typeName(container) + "' is not iterable");
    }

    static void failOnUndefined(Object v) {
        if (v instanceof Undefined u) {
            throw new IllegalArgumentException(u.message());
        }
    }
}
