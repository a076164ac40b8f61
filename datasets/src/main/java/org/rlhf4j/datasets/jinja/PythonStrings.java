package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's {@code str} methods as chat templates call them, with Python's whitespace and split rules. */
final class PythonStrings {

    private PythonStrings() {}

    static Object call(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        Object a0 = args.isEmpty() ? null : args.get(0);
        switch (name) {
            case "strip":
                return strip(s, chars(a0), true, true);
            case "lstrip":
                return strip(s, chars(a0), true, false);
            case "rstrip":
                return strip(s, chars(a0), false, true);
            case "split":
                return split(s, (String) a0, args.size() > 1 ? PythonValues.toLong(args.get(1))
                        : kwargs.containsKey("maxsplit") ? PythonValues.toLong(kwargs.get("maxsplit")) : -1);
            case "rsplit":
                return rsplit(s, (String) a0, args.size() > 1 ? PythonValues.toLong(args.get(1)) : -1);
            case "startswith":
                return affixes(a0).stream().anyMatch(s::startsWith);
            case "endswith":
                return affixes(a0).stream().anyMatch(s::endsWith);
            case "replace": {
                long count = args.size() > 2 ? PythonValues.toLong(args.get(2)) : -1;
                return replace(s, (String) a0, (String) args.get(1), count);
            }
            case "upper":
                return s.toUpperCase(java.util.Locale.ROOT);
            case "lower":
                return s.toLowerCase(java.util.Locale.ROOT);
            case "title":
                return title(s);
            case "capitalize":
                return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                        + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "find":
                return (long) s.indexOf((String) a0);
            case "index": {
                int i = s.indexOf((String) a0);
                if (i < 0) {
                    throw new IllegalArgumentException("substring not found");
                }
                return (long) i;
            }
            case "rfind":
                return (long) s.lastIndexOf((String) a0);
            case "count":
                return (long) split(s, (String) a0, -1).size() - 1;
            case "join": {
                List<String> parts = new ArrayList<>();
                PythonValues.iterate(a0).forEachRemaining(x -> parts.add((String) x));
                return String.join(s, parts);
            }
            case "splitlines":
                return List.of(s.split("\r\n|\n|\r", -1)).subList(0, s.isEmpty() ? 0
                        : s.split("\r\n|\n|\r", -1).length - (s.endsWith("\n") || s.endsWith("\r") ? 1 : 0));
            case "isdigit":
                return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha":
                return !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isspace":
                return !s.isEmpty() && s.chars().allMatch(PythonValues::isSpace);
            case "isupper":
                return s.chars().anyMatch(Character::isUpperCase) && s.chars().noneMatch(Character::isLowerCase);
            case "islower":
                return s.chars().anyMatch(Character::isLowerCase) && s.chars().noneMatch(Character::isUpperCase);
            case "format":
                return format(s, args, kwargs);
            default:
                throw new IllegalArgumentException("'str' object has no attribute '" + name + "'");
        }
    }

    private static String chars(Object arg) {
        return arg == null ? null : (String) arg;
    }

    private static List<String> affixes(Object arg) {
        if (arg instanceof List<?> l) {
            return l.stream().map(String.class::cast).toList();
        }
        return List.of((String) arg);
    }

    /** Python's strip: {@code chars} null strips whitespace ({@code str.isspace}). */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.charAt(start), chars)) {
            start++;
        }
        while (right && end > start && stripped(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? PythonValues.isSpace(c) : chars.indexOf(c) >= 0;
    }

    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            // runs of whitespace separate; no empty strings
            int i = 0;
            int n = s.length();
            while (i < n) {
                while (i < n && PythonValues.isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < n && !PythonValues.isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<Object> rsplit(String s, String sep, long maxSplit) {
        if (sep == null || maxSplit < 0) {
            return split(s, sep, maxSplit);
        }
        List<Object> out = new ArrayList<>();
        int end = s.length();
        int at;
        while (out.size() < maxSplit && (at = s.lastIndexOf(sep, end - sep.length())) >= 0 && end - sep.length() >= 0) {
            out.add(0, s.substring(at + sep.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int at;
        for (long done = 0; done < count && (at = s.indexOf(old, from)) >= 0; done++) {
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            if (old.isEmpty()) {
                if (from < s.length()) {
                    sb.append(s.charAt(from));
                }
                from++;
            }
        }
        return from <= s.length() ? sb.append(s.substring(from)).toString() : sb.toString();
    }

    /** Python's str.title: a letter after a non-letter is upper case, other letters lower case. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean cased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
            sb.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = cased;
        }
        return sb.toString();
    }

    /** {@code '{}'.format(x)} and {@code '{name}'.format(name=x)} with plain fields. */
    private static String format(String s, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                String field = s.substring(i + 1, end);
                Object value = field.isEmpty() ? args.get(auto++)
                        : field.chars().allMatch(Character::isDigit) ? args.get(Integer.parseInt(field)) : kwargs.get(field);
                sb.append(PythonValues.str(value));
                i = end;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
