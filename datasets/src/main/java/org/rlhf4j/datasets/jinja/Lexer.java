package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tags the way Jinja2's lexer does with {@code trim_blocks} and
 * {@code lstrip_blocks} on and {@code keep_trailing_newline} off (transformers' settings), and
 * splits each tag into expression tokens.
 */
final class Lexer {

    /** The kind of a template segment. */
    enum Kind { TEXT, OUTPUT, STATEMENT }

    /** A piece of the template: literal text, or the tokens of a {@code {{ }}} or {@code {% %}} tag. */
    record Segment(Kind kind, String text, List<Token> tokens, int line) {}

    /** The kind of an expression token. */
    enum Type { NAME, STRING, INT, FLOAT, OP }

    /** One expression token; {@code value} is the unescaped string, the name or the operator. */
    record Token(Type type, String value, int line) {
        boolean is(String op) {
            return (type == Type.OP || type == Type.NAME) && value.equals(op);
        }
    }

    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
        "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"};

    private final String src;
    private final String sourceName;
    private int pos;
    // line of src[countedTo], advanced lazily by lineAt
    private int line = 1;
    private int countedTo;

    private Lexer(String src, String sourceName) {
        // keep_trailing_newline=False: a single trailing newline of the template is dropped
        this.src = src.endsWith("\n") ? src.substring(0, src.length() - 1) : src;
        this.sourceName = sourceName;
    }

    static List<Segment> segments(String template, String sourceName) {
        return new Lexer(template, sourceName).run();
    }

    private List<Segment> run() {
        List<Segment> out = new ArrayList<>();
        while (pos < src.length()) {
            int tag = nextTag(pos);
            String text = src.substring(pos, tag < 0 ? src.length() : tag);
            boolean lineStarting = pos == 0 || src.charAt(pos - 1) == '\n';
            if (tag < 0) {
                addText(out, text);
                break;
            }
            char kind = src.charAt(tag + 1);
            char modifier = tag + 2 < src.length() ? src.charAt(tag + 2) : ' ';
            if (modifier == '-') {
                text = stripTrailing(text);
            } else if (kind != '{' && modifier != '+') {
                // lstrip_blocks: blanks between a line start and a block or comment tag go
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && text.substring(lineStart).chars().allMatch(c -> c == ' ' || c == '\t')) {
                    text = text.substring(0, lineStart);
                }
            }
            addText(out, text);
            int tagLine = lineAt(tag);
            pos = tag + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            boolean stripAfter;
            if (kind == '#') {
                int end = src.indexOf("#}", pos);
                if (end < 0) {
                    throw error(tagLine, "comment not closed: expected #}");
                }
                stripAfter = src.charAt(end - 1) == '-';
                pos = end + 2;
            } else {
                String close = kind == '{' ? "}}" : "%}";
                List<Token> tokens = new ArrayList<>();
                stripAfter = tokenize(tokens, close, tagLine);
                out.add(new Segment(kind == '{' ? Kind.OUTPUT : Kind.STATEMENT, null, tokens, tagLine));
                if (kind == '%' && isRaw(tokens)) {
                    pos = readRaw(out, tagLine);
                    continue;
                }
            }
            if (stripAfter) {
                while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                    pos++;
                }
            } else if (kind != '{' && pos < src.length() && src.charAt(pos) == '\n') {
                pos++; // trim_blocks
            }
        }
        return out;
    }

    private static boolean isRaw(List<Token> tokens) {
        return tokens.size() == 1 && tokens.get(0).is("raw");
    }

    /** Reads up to {@code {% endraw %}}: the text between is output as is. */
    private int readRaw(List<Segment> out, int tagLine) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{%(-?)\\s*endraw\\s*(-?)%}").matcher(src);
        if (!m.find(pos)) {
            throw error(tagLine, "raw block not closed: expected {% endraw %}");
        }
        String text = src.substring(pos, m.start());
        addText(out, m.group(1).isEmpty() ? text : stripTrailing(text));
        int end = m.end();
        if (!m.group(2).isEmpty()) {
            while (end < src.length() && Character.isWhitespace(src.charAt(end))) {
                end++;
            }
        } else if (end < src.length() && src.charAt(end) == '\n') {
            end++;
        }
        return end;
    }

    private void addText(List<Segment> out, String text) {
        if (!text.isEmpty()) {
            out.add(new Segment(Kind.TEXT, text, List.of(), 0));
        }
    }

    private int nextTag(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    /** The 1-based line of {@code src[index]}; indexes must not decrease between calls. */
    private int lineAt(int index) {
        for (; countedTo < index; countedTo++) {
            if (src.charAt(countedTo) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Tokenizes a tag body up to {@code close}; returns whether the tag ends with {@code -}. */
    private boolean tokenize(List<Token> tokens, String close, int tagLine) {
        while (true) {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            lineAt(pos);
            if (pos >= src.length()) {
                throw error(tagLine, "tag not closed: expected " + close);
            }
            if (src.startsWith("-" + close, pos)) {
                pos += 3;
                return true;
            }
            if (src.startsWith(close, pos)) {
                pos += 2;
                return false;
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                tokens.add(new Token(Type.STRING, readString(c), line));
            } else if (Character.isDigit(c)) {
                int start = pos;
                while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                boolean isFloat = pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1));
                if (isFloat) {
                    pos++;
                    while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                        pos++;
                    }
                }
                if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                    isFloat = true;
                    pos++;
                    if (src.charAt(pos) == '+' || src.charAt(pos) == '-') {
                        pos++;
                    }
                    while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                        pos++;
                    }
                }
                tokens.add(new Token(isFloat ? Type.FLOAT : Type.INT, src.substring(start, pos).replace("_", ""), line));
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Type.NAME, src.substring(start, pos), line));
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (src.startsWith(candidate, pos)) {
                        op = candidate;
                        break;
                    }
                }
                if (op == null) {
                    throw error(line, "unexpected character '" + c + "'");
                }
                pos += op.length();
                tokens.add(new Token(Type.OP, op, line));
            }
        }
    }

    /** Reads a quoted string with Python's escapes. */
    private String readString(char quote) {
        StringBuilder sb = new StringBuilder();
        int startLine = lineAt(pos);
        pos++;
        while (true) {
            if (pos >= src.length()) {
                throw error(startLine, "string not closed: expected " + quote);
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case '\\', '\'', '"' -> sb.append(e);
                case '\n' -> { } // a backslash-newline continues the string
                case 'u' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                case 'x' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 2), 16));
                    pos += 2;
                }
                default -> sb.append('\\').append(e); // Python keeps unknown escapes
            }
        }
    }

    private static String stripTrailing(String text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private TemplateException error(int at, String message) {
        return new TemplateException(sourceName, at, message, false);
    }
}
