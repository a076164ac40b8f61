package org.rlhf4j.datasets.jinja;

import java.util.List;
import java.util.Map;

/** The syntax tree of a template: statements ({@link Node}) and expressions ({@link Expr}). */
sealed interface Node {

    /** 1-based template line, for errors. */
    int line();

    record Text(String text, int line) implements Node {}

    record Output(Expr expr, int line) implements Node {}

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> orElse, int line) implements Node {}

    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> orElse, int line)
            implements Node {}

    /** {@code set name = value}, {@code set ns.attr = value} ({@code attribute} non-null) or {@code set a, b = ...}. */
    record Set(List<String> targets, String attribute, Expr value, int line) implements Node {}

    /** {@code {% set name %}body{% endset %}}. */
    record SetBlock(String target, List<Node> body, int line) implements Node {}

    record Macro(String name, List<String> params, Map<String, Expr> defaults, List<Node> body, int line)
            implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /** transformers' {@code {% generation %}}: marks the text the assistant generates. */
    record Generation(List<Node> body, int line) implements Node {}

    /** {@code {% filter name %}body{% endfilter %}}. */
    record FilterBlock(Expr.Filter filter, List<Node> body, int line) implements Node {}

    /** An expression. */
    sealed interface Expr {
        int line();

        record Literal(Object value, int line) implements Expr {}

        record Name(String name, int line) implements Expr {}

        record ListExpr(List<Expr> items, int line) implements Expr {}

        record TupleExpr(List<Expr> items, int line) implements Expr {}

        record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {}

        record Attr(Expr target, String name, int line) implements Expr {}

        record Item(Expr target, Expr key, int line) implements Expr {}

        record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {}

        record Call(Expr callee, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {}

        /** {@code target | name(args)}; {@code target} is null inside a filter block. */
        record Filter(Expr target, String name, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {}

        record Test(Expr target, String name, List<Expr> args, boolean negated, int line) implements Expr {}

        record Unary(String op, Expr operand, int line) implements Expr {}

        record Binary(String op, Expr left, Expr right, int line) implements Expr {}

        /** {@code a op1 b op2 c ...}, Python's chained comparison; ops include {@code in} and {@code not in}. */
        record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

        record Conditional(Expr test, Expr then, Expr orElse, int line) implements Expr {}
    }
}
