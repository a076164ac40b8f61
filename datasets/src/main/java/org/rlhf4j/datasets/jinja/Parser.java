package org.rlhf4j.datasets.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.datasets.jinja.Lexer.Segment;
import org.rlhf4j.datasets.jinja.Lexer.Token;
import org.rlhf4j.datasets.jinja.Lexer.Type;
import org.rlhf4j.datasets.jinja.Node.Expr;

/** Parses {@link Lexer} segments into a {@link Node} tree with Jinja2's grammar and operator precedence. */
final class Parser {

    private final List<Segment> segments;
    private final String sourceName;
    private int index;
    // the tokens of the tag being parsed, and the position in them
    private List<Token> tokens;
    private int at;
    private int tagLine;

    private Parser(List<Segment> segments, String sourceName) {
        this.segments = segments;
        this.sourceName = sourceName;
    }

    static List<Node> parse(String template, String sourceName) {
        Parser parser = new Parser(Lexer.segments(template, sourceName), sourceName);
        List<Node> body = parser.body(Set.of());
        if (parser.index < parser.segments.size()) {
            Segment stray = parser.segments.get(parser.index);
            throw parser.error(stray.line(), "unexpected '" + stray.tokens().get(0).value() + "'");
        }
        return body;
    }

    /** Parses statements until a tag whose first word is in {@code ends} (left unconsumed). */
    private List<Node> body(Set<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (index < segments.size()) {
            Segment s = segments.get(index);
            switch (s.kind()) {
                case TEXT -> {
                    nodes.add(new Node.Text(s.text(), s.line()));
                    index++;
                }
                case OUTPUT -> {
                    begin(s);
                    Expr e = expression();
                    expectEnd();
                    nodes.add(new Node.Output(e, s.line()));
                    index++;
                }
                case STATEMENT -> {
                    if (s.tokens().isEmpty()) {
                        throw error(s.line(), "empty tag {% %}");
                    }
                    String word = s.tokens().get(0).value();
                    if (ends.contains(word)) {
                        return nodes;
                    }
                    begin(s);
                    at = 1;
                    index++;
                    nodes.add(statement(word, s.line()));
                }
            }
        }
        if (!ends.isEmpty()) {
            throw error(lastLine(), "unexpected end of template; expected one of " + ends);
        }
        return nodes;
    }

    private int lastLine() {
        return segments.isEmpty() ? 1 : segments.get(segments.size() - 1).line();
    }

    private Node statement(String word, int line) {
        switch (word) {
            case "if": {
                List<Expr> conditions = new ArrayList<>();
                List<List<Node>> bodies = new ArrayList<>();
                conditions.add(expression());
                expectEnd();
                List<Node> orElse = List.of();
                while (true) {
                    bodies.add(body(Set.of("elif", "else", "endif")));
                    String next = openNext("endif");
                    if (next.equals("elif")) {
                        conditions.add(expression());
                        expectEnd();
                    } else if (next.equals("else")) {
                        expectEnd();
                        orElse = body(Set.of("endif"));
                        openNext("endif");
                        expectEnd();
                        break;
                    } else {
                        expectEnd();
                        break;
                    }
                }
                return new Node.If(conditions, bodies, orElse, line);
            }
            case "for": {
                List<String> targets = new ArrayList<>();
                do {
                    targets.add(name());
                } while (accept(","));
                expectName("in");
                Expr iterable = ternaryFree();
                Expr filter = accept("if") ? ternaryFree() : null;
                if (accept("recursive")) {
                    throw error(line, "recursive for loops are not supported");
                }
                expectEnd();
                List<Node> body = body(Set.of("else", "endfor"));
                List<Node> orElse = List.of();
                if (openNext("endfor").equals("else")) {
                    expectEnd();
                    orElse = body(Set.of("endfor"));
                    openNext("endfor");
                }
                expectEnd();
                return new Node.For(targets, iterable, filter, body, orElse, line);
            }
            case "set": {
                String first = name();
                if (accept(".")) {
                    String attribute = name();
                    expectOp("=");
                    Expr value = expression();
                    expectEnd();
                    return new Node.Set(List.of(first), attribute, value, line);
                }
                List<String> targets = new ArrayList<>(List.of(first));
                while (accept(",")) {
                    targets.add(name());
                }
                if (atEnd() && targets.size() == 1) {
                    expectEnd();
                    List<Node> body = body(Set.of("endset"));
                    openNext("endset");
                    expectEnd();
                    return new Node.SetBlock(first, body, line);
                }
                expectOp("=");
                Expr value = expression();
                expectEnd();
                return new Node.Set(targets, null, value, line);
            }
            case "macro": {
                String name = name();
                expectOp("(");
                List<String> params = new ArrayList<>();
                Map<String, Expr> defaults = new LinkedHashMap<>();
                while (!accept(")")) {
                    String param = name();
                    params.add(param);
                    if (accept("=")) {
                        defaults.put(param, expression());
                    }
                    if (!peekIs(")")) {
                        expectOp(",");
                    }
                }
                expectEnd();
                List<Node> body = body(Set.of("endmacro"));
                openNext("endmacro");
                expectEnd();
                return new Node.Macro(name, params, defaults, body, line);
            }
            case "break":
                expectEnd();
                return new Node.Break(line);
            case "continue":
                expectEnd();
                return new Node.Continue(line);
            case "generation": {
                expectEnd();
                List<Node> body = body(Set.of("endgeneration"));
                openNext("endgeneration");
                expectEnd();
                return new Node.Generation(body, line);
            }
            case "filter": {
                Expr.Filter filter = filterCall(null);
                expectEnd();
                List<Node> body = body(Set.of("endfilter"));
                openNext("endfilter");
                expectEnd();
                return new Node.FilterBlock(filter, body, line);
            }
            default:
                throw error(line, "unknown tag '" + word + "'");
        }
    }

    /** Consumes the closing tag the body stopped at and returns its first word. */
    private String openNext(String expectedEnd) {
        if (index >= segments.size()) {
            throw error(lastLine(), "unexpected end of template; expected {% " + expectedEnd + " %}");
        }
        Segment s = segments.get(index++);
        begin(s);
        at = 1;
        return s.tokens().get(0).value();
    }

    private void begin(Segment s) {
        tokens = s.tokens();
        at = 0;
        tagLine = s.line();
    }

    // ---- expressions, lowest precedence first (Jinja2's parser.py) ----

    Expr expression() {
        Expr e = ternaryFree();
        while (peekIs("if")) {
            at++;
            Expr test = or();
            Expr orElse = accept("else") ? expression() : new Expr.Literal(Interpreter.UNDEFINED_ELSE, e.line());
            e = new Expr.Conditional(test, e, orElse, e.line());
        }
        return e;
    }

    private Expr ternaryFree() {
        return or();
    }

    private Expr or() {
        Expr e = and();
        while (peekIs("or")) {
            at++;
            e = new Expr.Binary("or", e, and(), e.line());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (peekIs("and")) {
            at++;
            e = new Expr.Binary("and", e, not(), e.line());
        }
        return e;
    }

    private Expr not() {
        if (peekIs("not")) {
            int line = peek().line();
            at++;
            return new Expr.Unary("not", not(), line);
        }
        return compare();
    }

    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t == null) {
                break;
            }
            if (t.type() == Type.OP && COMPARISONS.contains(t.value())) {
                at++;
                ops.add(t.value());
            } else if (t.is("in") && t.type() == Type.NAME) {
                at++;
                ops.add("in");
            } else if (t.is("not") && at + 1 < tokens.size() && tokens.get(at + 1).is("in")) {
                at += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest, first.line());
    }

    private Expr math1() {
        Expr e = concat();
        while (peekOp("+") || peekOp("-")) {
            String op = tokens.get(at++).value();
            e = new Expr.Binary(op, e, concat(), e.line());
        }
        return e;
    }

    private Expr concat() {
        Expr e = math2();
        while (peekOp("~")) {
            at++;
            e = new Expr.Binary("~", e, math2(), e.line());
        }
        return e;
    }

    private Expr math2() {
        Expr e = pow();
        while (peekOp("*") || peekOp("/") || peekOp("//") || peekOp("%")) {
            String op = tokens.get(at++).value();
            e = new Expr.Binary(op, e, pow(), e.line());
        }
        return e;
    }

    private Expr pow() {
        Expr e = unary(true);
        while (peekOp("**")) {
            at++;
            e = new Expr.Binary("**", e, unary(true), e.line());
        }
        return e;
    }

    private Expr unary(boolean withFilter) {
        Expr e;
        if (peekOp("-") || peekOp("+")) {
            Token t = tokens.get(at++);
            e = new Expr.Unary(t.value(), unary(false), t.line());
        } else {
            e = postfix(primary());
        }
        if (withFilter) {
            e = filterExpr(e);
        }
        return e;
    }

    private Expr primary() {
        Token t = next();
        switch (t.type()) {
            case STRING: {
                StringBuilder sb = new StringBuilder(t.value());
                while (peek() != null && peek().type() == Type.STRING) {
                    sb.append(next().value()); // adjacent literals concatenate
                }
                return new Expr.Literal(sb.toString(), t.line());
            }
            case INT:
                return new Expr.Literal(Long.parseLong(t.value()), t.line());
            case FLOAT:
                return new Expr.Literal(Double.parseDouble(t.value()), t.line());
            case NAME:
                switch (t.value()) {
                    case "true", "True":
                        return new Expr.Literal(Boolean.TRUE, t.line());
                    case "false", "False":
                        return new Expr.Literal(Boolean.FALSE, t.line());
                    case "none", "None":
                        return new Expr.Literal(null, t.line());
                    default:
                        return new Expr.Name(t.value(), t.line());
                }
            default:
                break;
        }
        if (t.is("(")) {
            if (accept(")")) {
                return new Expr.TupleExpr(List.of(), t.line());
            }
            Expr first = expression();
            if (!peekIs(",")) {
                expectOp(")");
                return first;
            }
            List<Expr> items = new ArrayList<>(List.of(first));
            while (accept(",") && !peekIs(")")) {
                items.add(expression());
            }
            expectOp(")");
            return new Expr.TupleExpr(items, t.line());
        }
        if (t.is("[")) {
            List<Expr> items = new ArrayList<>();
            while (!accept("]")) {
                items.add(expression());
                if (!peekIs("]")) {
                    expectOp(",");
                }
            }
            return new Expr.ListExpr(items, t.line());
        }
        if (t.is("{")) {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!accept("}")) {
                keys.add(expression());
                expectOp(":");
                values.add(expression());
                if (!peekIs("}")) {
                    expectOp(",");
                }
            }
            return new Expr.DictExpr(keys, values, t.line());
        }
        throw error(t.line(), "unexpected '" + t.value() + "'");
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (peekOp(".")) {
                at++;
                Token t = next();
                if (t.type() == Type.INT) {
                    e = new Expr.Item(e, new Expr.Literal(Long.parseLong(t.value()), t.line()), t.line());
                } else if (t.type() == Type.NAME) {
                    e = new Expr.Attr(e, t.value(), t.line());
                } else {
                    throw error(t.line(), "expected an attribute name after '.', got '" + t.value() + "'");
                }
            } else if (peekOp("[")) {
                e = subscript(e, next().line());
            } else if (peekOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr target, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!peekIs("]")) {
            if (peekOp(":")) {
                at++;
                slice = true;
                part++;
                if (part > 2) {
                    throw error(line, "too many ':' in a slice");
                }
            } else {
                parts[part] = expression();
            }
        }
        expectOp("]");
        return slice ? new Expr.Slice(target, parts[0], parts[1], parts[2], line) : new Expr.Item(target, parts[0], line);
    }

    private Expr.Call call(Expr callee) {
        int line = next().line();
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        arguments(args, kwargs);
        return new Expr.Call(callee, args, kwargs, line);
    }

    /** Reads {@code a, b, k=v)} after an opening parenthesis. */
    private void arguments(List<Expr> args, Map<String, Expr> kwargs) {
        while (!accept(")")) {
            Token t = peek();
            if (t != null && t.type() == Type.NAME && at + 1 < tokens.size() && tokens.get(at + 1).is("=")) {
                at += 2;
                kwargs.put(t.value(), expression());
            } else {
                args.add(expression());
            }
            if (!peekIs(")")) {
                expectOp(",");
            }
        }
    }

    private Expr filterExpr(Expr e) {
        while (true) {
            if (peekOp("|")) {
                at++;
                e = filterCall(e);
            } else if (peekIs("is") && peek().type() == Type.NAME) {
                at++;
                boolean negated = accept("not");
                Token name = next();
                List<Expr> args = new ArrayList<>();
                if (peekOp("(")) {
                    at++;
                    arguments(args, new LinkedHashMap<>());
                } else if (startsArgument(peek())) {
                    args.add(postfix(primary()));
                }
                e = new Expr.Test(e, name.value(), args, negated, name.line());
            } else if (peekOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    /** A test takes one argument without parentheses ({@code is divisibleby 3}) when one follows. */
    private static boolean startsArgument(Token t) {
        if (t == null) {
            return false;
        }
        return switch (t.type()) {
            case STRING, INT, FLOAT -> true;
            case NAME -> !Set.of("else", "or", "and", "if", "is", "in", "not").contains(t.value());
            case OP -> false;
        };
    }

    private Expr.Filter filterCall(Expr target) {
        Token name = next();
        String full = name.value();
        while (peekOp(".")) {
            at++;
            full += "." + next().value();
        }
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        if (peekOp("(")) {
            at++;
            arguments(args, kwargs);
        }
        return new Expr.Filter(target, full, args, kwargs, name.line());
    }

    // ---- token helpers ----

    private Token peek() {
        return at < tokens.size() ? tokens.get(at) : null;
    }

    private boolean peekIs(String value) {
        Token t = peek();
        return t != null && t.type() != Type.STRING && t.value().equals(value);
    }

    private boolean peekOp(String op) {
        Token t = peek();
        return t != null && t.type() == Type.OP && t.value().equals(op);
    }

    private boolean atEnd() {
        return at >= tokens.size();
    }

    private Token next() {
        if (at >= tokens.size()) {
            throw error(tagLine, "unexpected end of tag");
        }
        return tokens.get(at++);
    }

    private boolean accept(String value) {
        if (peekIs(value)) {
            at++;
            return true;
        }
        return false;
    }

    private String name() {
        Token t = next();
        if (t.type() != Type.NAME) {
            throw error(t.line(), "expected a name, got '" + t.value() + "'");
        }
        return t.value();
    }

    private void expectName(String word) {
        Token t = next();
        if (!t.is(word)) {
            throw error(t.line(), "expected '" + word + "', got '" + t.value() + "'");
        }
    }

    private void expectOp(String op) {
        Token t = next();
        if (t.type() != Type.OP || !t.value().equals(op)) {
            throw error(t.line(), "expected '" + op + "', got '" + t.value() + "'");
        }
    }

    private void expectEnd() {
        if (at < tokens.size()) {
            Token t = tokens.get(at);
            throw error(t.line(), "expected the end of the tag, got '" + t.value() + "'");
        }
    }

    private TemplateException error(int line, String message) {
        return new TemplateException(sourceName, line, message, false);
    }
}
