package org.rlhf4j.datasets.jinja;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed Jinja template rendered as transformers' {@code apply_chat_template} renders it: Jinja2
 * with {@code trim_blocks} and {@code lstrip_blocks}, loop controls, an immutable sandbox, and the
 * globals {@code raise_exception(message)}, {@code strftime_now(format)}, {@code range},
 * {@code namespace} and {@code dict}.
 *
 * <p>Context values are Java {@link String}, {@link Long} or {@link Integer}, {@link Double},
 * {@link Boolean}, {@code null}, {@link List} and {@link Map} with string keys (what Jackson's
 * {@code convertValue(node, Object.class)} gives, ints widened here). Strings are data: they are
 * written as they are, never parsed as template code.
 */
public final class JinjaTemplate {

    /**
     * What a render produced.
     *
     * @param text the rendered text
     * @param generationSpans {@code {start, end}} of the text written inside each {@code {% generation %}} block
     * @param messageSpans {@code {message index, start, end}} of the text written by each iteration of a
     *     for loop whose item was an element of the {@code messages} variable (or of a slice of it), in
     *     output order; iterations that wrote nothing are left out
     */
    public record Rendered(String text, List<int[]> generationSpans, List<int[]> messageSpans) {}

    private final String source;
    private final List<Node> body;
    private final Clock clock;

    private JinjaTemplate(String source, List<Node> body, Clock clock) {
        this.source = source;
        this.body = body;
        this.clock = clock;
    }

    /**
     * Parses a template.
     *
     * @param text the template
     * @param source where it came from, for errors (a file path, or "DIR/tokenizer_config.json")
     * @throws TemplateException naming {@code source} and the template line of a syntax error
     */
    public static JinjaTemplate parse(String text, String source) {
        return parse(text, source, Clock.systemDefaultZone());
    }

    /** Parses a template whose {@code strftime_now} reads {@code clock}. */
    public static JinjaTemplate parse(String text, String source, Clock clock) {
        Objects.requireNonNull(text, "text");
        return new JinjaTemplate(source, Parser.parse(text, source), clock);
    }

    /** Where the template came from. */
    public String source() {
        return source;
    }

    /** Returns whether the template uses {@code {% generation %}} markers. */
    public boolean hasGenerationMarkers() {
        return contains(body);
    }

    private static boolean contains(List<Node> nodes) {
        for (Node n : nodes) {
            boolean found = n instanceof Node.Generation
                    || (n instanceof Node.If i && (i.bodies().stream().anyMatch(JinjaTemplate::contains) || contains(i.orElse())))
                    || (n instanceof Node.For f && (contains(f.body()) || contains(f.orElse())))
                    || (n instanceof Node.Macro m && contains(m.body()))
                    || (n instanceof Node.SetBlock b && contains(b.body()))
                    || (n instanceof Node.FilterBlock f2 && contains(f2.body()));
            if (found) {
                return true;
            }
        }
        return false;
    }

    /**
     * Renders with the given variables.
     *
     * @throws TemplateException naming the source and template line; {@link TemplateException#raisedByTemplate()}
     *     when the template called {@code raise_exception}
     */
    public Rendered render(Map<String, ?> variables) {
        Map<String, Object> globals = new HashMap<>();
        globals.put("range", (Callable) JinjaTemplate::range);
        globals.put("namespace", (Callable) (args, kwargs) -> {
            Namespace ns = new Namespace();
            if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
                m.forEach((k, v) -> ns.attributes.put((String) k, v));
            }
            ns.attributes.putAll(kwargs);
            return ns;
        });
        globals.put("dict", (Callable) (args, kwargs) -> new java.util.LinkedHashMap<>(kwargs));
        globals.put("strftime_now", (Callable) (args, kwargs) -> strftime((String) args.get(0), LocalDateTime.now(clock)));
        variables.forEach((k, v) -> globals.put(k, normalize(v)));
        // the interpreter adds the template line to what raise_exception throws; render() recognises it
        globals.put("raise_exception", (Callable) (args, kwargs) -> {
            throw new Raised(args.isEmpty() ? "" : PythonValues.str(args.get(0)));
        });
        List<?> messages = globals.get("messages") instanceof List<?> l ? l : List.of();
        Interpreter interpreter = new Interpreter(source, globals, messages);
        List<int[]> spans = new ArrayList<>();
        List<int[]> messageSpans = new ArrayList<>();
        try {
            return new Rendered(interpreter.render(body, spans, messageSpans), spans, messageSpans);
        } catch (TemplateException e) {
            int at = e.getMessage().indexOf(Raised.PREFIX);
            if (at >= 0) {
                throw new TemplateException(source, e.line(),
                        "the template raised: " + e.getMessage().substring(at + Raised.PREFIX.length()), true);
            }
            throw e;
        }
    }

    /** The exception {@code raise_exception} throws; its message is found again by its prefix. */
    private static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final String PREFIX = "\u0000raise_exception:";

        Raised(String message) {
            super(PREFIX + message, null, false, false);
        }
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        long start = args.size() > 1 ? PythonValues.toLong(args.get(0)) : 0;
        long stop = PythonValues.toLong(args.get(args.size() > 1 ? 1 : 0));
        long step = args.size() > 2 ? PythonValues.toLong(args.get(2)) : 1;
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** Widens Integer and Float to Python's int and float; copies lists and maps. */
    @SuppressWarnings("unchecked")
    static Object normalize(Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.longValue();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(normalize(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
            return out;
        }
        return v;
    }

    /** Python's {@code strftime} for the directives templates use. */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }
}
