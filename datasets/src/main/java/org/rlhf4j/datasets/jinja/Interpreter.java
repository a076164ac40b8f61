package org.rlhf4j.datasets.jinja;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.datasets.jinja.Node.Expr;

/**
 * Renders a parsed template with Jinja2's semantics: for loops and macros open a scope (a {@code set}
 * inside a loop does not leak out of it, which is why templates use {@code namespace}), {@code if}
 * does not; values are written with Python's {@code str()}. Strings from the context are data: they
 * are written as they are and never parsed as template code.
 */
final class Interpreter {

    /** The else branch of {@code a if b} without {@code else}: Undefined. */
    static final Object UNDEFINED_ELSE = new Object();

    private static final class LoopControl extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    /** An error already carrying its template line, passed up unchanged. */
    private static final class Located extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final TemplateException error;

        Located(TemplateException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }

    private final String sourceName;
    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final StringBuilder root = new StringBuilder();
    private StringBuilder out = root;
    private final List<int[]> generationSpans = new ArrayList<>();
    // items whose loop iterations are recorded (the messages), by identity, with their index
    private final Map<Object, Integer> tracked = new java.util.IdentityHashMap<>();
    private final List<int[]> itemSpans = new ArrayList<>();

    Interpreter(String sourceName, Map<String, Object> globals, List<?> trackedItems) {
        this.sourceName = sourceName;
        scopes.push(new HashMap<>(globals));
        for (int i = 0; i < trackedItems.size(); i++) {
            tracked.put(trackedItems.get(i), i);
        }
    }

    /**
     * Renders the template; returns the text, fills {@code spans} with {@code {% generation %}} ranges
     * and {@code items} with {@code {index, start, end}} for each loop iteration over a tracked item
     * that wrote to the output.
     */
    String render(List<Node> body, List<int[]> spans, List<int[]> items) {
        try {
            execute(body);
        } catch (Located e) {
            throw e.error;
        } catch (LoopControl e) {
            throw new TemplateException(sourceName, 1, "break or continue outside a for loop", false);
        }
        spans.addAll(generationSpans);
        items.addAll(itemSpans);
        return out.toString();
    }

    private void execute(List<Node> nodes) {
        for (Node node : nodes) {
            try {
                executeOne(node);
            } catch (Located | LoopControl e) {
                throw e;
            } catch (TemplateException e) {
                throw new Located(e);
            } catch (RuntimeException e) {
                throw new Located(new TemplateException(sourceName, node.line(),
                        e.getMessage() == null ? e.toString() : e.getMessage(), false));
            }
        }
    }

    private void executeOne(Node node) {
        if (node instanceof Node.Text t) {
            out.append(t.text());
        } else if (node instanceof Node.Output o) {
            out.append(PythonValues.str(eval(o.expr())));
        } else if (node instanceof Node.If n) {
            for (int i = 0; i < n.conditions().size(); i++) {
                if (PythonValues.truthy(eval(n.conditions().get(i)))) {
                    execute(n.bodies().get(i));
                    return;
                }
            }
            execute(n.orElse());
        } else if (node instanceof Node.For n) {
            loop(n);
        } else if (node instanceof Node.Set n) {
            assign(n);
        } else if (node instanceof Node.SetBlock n) {
            scopes.peek().put(n.target(), capture(n.body()));
        } else if (node instanceof Node.Macro n) {
            scopes.peek().put(n.name(), macro(n));
        } else if (node instanceof Node.Break) {
            throw new LoopControl(true);
        } else if (node instanceof Node.Continue) {
            throw new LoopControl(false);
        } else if (node instanceof Node.Generation n) {
            int start = out.length();
            execute(n.body());
            generationSpans.add(new int[] {start, out.length()});
        } else if (node instanceof Node.FilterBlock n) {
            out.append(PythonValues.str(applyFilter(n.filter(), capture(n.body()))));
        }
    }

    /** Renders {@code body} into a string of its own. */
    private String capture(List<Node> body) {
        StringBuilder saved = out;
        out = new StringBuilder();
        try {
            execute(body);
            return out.toString();
        } finally {
            out = saved;
        }
    }

    private void loop(Node.For n) {
        List<Object> items = new ArrayList<>();
        Iterator<?> it = PythonValues.iterate(eval(n.iterable()));
        Map<String, Object> scope = new HashMap<>();
        scopes.push(scope);
        try {
            while (it.hasNext()) {
                Object item = it.next();
                if (n.filter() != null) {
                    bind(scope, n.targets(), item);
                    if (!PythonValues.truthy(eval(n.filter()))) {
                        continue;
                    }
                }
                items.add(item);
            }
            for (int i = 0; i < items.size(); i++) {
                bind(scope, n.targets(), items.get(i));
                scope.put("loop", loopInfo(items, i));
                Integer trackedIndex = out == root ? tracked.get(items.get(i)) : null;
                int start = out.length();
                try {
                    execute(n.body());
                } catch (LoopControl c) {
                    if (c.isBreak) {
                        recordItem(trackedIndex, start);
                        break;
                    }
                }
                recordItem(trackedIndex, start);
            }
            if (items.isEmpty()) {
                execute(n.orElse());
            }
        } finally {
            scopes.pop();
        }
    }

    private void recordItem(Integer trackedIndex, int start) {
        if (trackedIndex != null && out.length() > start) {
            itemSpans.add(new int[] {trackedIndex, start, out.length()});
        }
    }

    private static Map<String, Object> loopInfo(List<Object> items, int i) {
        int n = items.size();
        Map<String, Object> loop = new HashMap<>();
        loop.put("index0", (long) i);
        loop.put("index", (long) i + 1);
        loop.put("revindex", (long) (n - i));
        loop.put("revindex0", (long) (n - i - 1));
        loop.put("first", i == 0);
        loop.put("last", i == n - 1);
        loop.put("length", (long) n);
        loop.put("depth", 1L);
        loop.put("depth0", 0L);
        loop.put("previtem", i > 0 ? items.get(i - 1) : new Undefined("loop.previtem"));
        loop.put("nextitem", i + 1 < n ? items.get(i + 1) : new Undefined("loop.nextitem"));
        loop.put("cycle", (Callable) (args, kwargs) -> args.get(i % args.size()));
        return loop;
    }

    private void bind(Map<String, Object> scope, List<String> targets, Object value) {
        if (targets.size() == 1) {
            scope.put(targets.get(0), value);
            return;
        }
        List<Object> parts = new ArrayList<>();
        PythonValues.iterate(value).forEachRemaining(parts::add);
        if (parts.size() != targets.size()) {
            throw new IllegalArgumentException("cannot unpack " + parts.size() + " values into " + targets.size() + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.put(targets.get(i), parts.get(i));
        }
    }

    private void assign(Node.Set n) {
        Object value = eval(n.value());
        if (n.attribute() != null) {
            Object target = lookup(n.targets().get(0));
            if (!(target instanceof Namespace ns)) {
                throw new IllegalArgumentException("cannot assign attribute on non-namespace object '"
                        + n.targets().get(0) + "'");
            }
            ns.attributes.put(n.attribute(), value);
            return;
        }
        bind(scopes.peek(), n.targets(), value);
    }

    private Callable macro(Node.Macro m) {
        Map<String, Object> root = scopes.peekLast();
        return (args, kwargs) -> {
            Map<String, Object> scope = new HashMap<>(root);
            for (int i = 0; i < m.params().size(); i++) {
                String p = m.params().get(i);
                if (i < args.size()) {
                    scope.put(p, args.get(i));
                } else if (kwargs.containsKey(p)) {
                    scope.put(p, kwargs.get(p));
                } else if (m.defaults().containsKey(p)) {
                    scope.put(p, eval(m.defaults().get(p)));
                } else {
                    scope.put(p, new Undefined("'" + p + "'"));
                }
            }
            StringBuilder saved = out;
            out = new StringBuilder();
            scopes.push(scope);
            try {
                execute(m.body());
                return out.toString();
            } finally {
                scopes.pop();
                out = saved;
            }
        };
    }

    private Object lookup(String name) {
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(name)) {
                return scope.get(name);
            }
        }
        return new Undefined("'" + name + "'");
    }

    // ---- expressions ----

    Object eval(Expr e) {
        if (e instanceof Expr.Literal l) {
            return l.value() == UNDEFINED_ELSE ? new Undefined("the else branch") : l.value();
        } else if (e instanceof Expr.Name n) {
            return lookup(n.name());
        } else if (e instanceof Expr.ListExpr l) {
            List<Object> list = new ArrayList<>();
            l.items().forEach(x -> list.add(eval(x)));
            return list;
        } else if (e instanceof Expr.TupleExpr t) {
            List<Object> list = new ArrayList<>();
            t.items().forEach(x -> list.add(eval(x)));
            return java.util.Collections.unmodifiableList(list);
        } else if (e instanceof Expr.DictExpr d) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) {
                map.put(PythonValues.str(eval(d.keys().get(i))), eval(d.values().get(i)));
            }
            return map;
        } else if (e instanceof Expr.Attr a) {
            return Members.attribute(eval(a.target()), a.name());
        } else if (e instanceof Expr.Item i) {
            return Members.item(eval(i.target()), eval(i.key()));
        } else if (e instanceof Expr.Slice s) {
            return Members.slice(eval(s.target()), optional(s.start()), optional(s.stop()), optional(s.step()));
        } else if (e instanceof Expr.Call c) {
            return call(c);
        } else if (e instanceof Expr.Filter f) {
            return applyFilter(f, eval(f.target()));
        } else if (e instanceof Expr.Test t) {
            List<Object> args = new ArrayList<>();
            t.args().forEach(x -> args.add(eval(x)));
            boolean result = Filters.test(t.name(), eval(t.target()), args, this::lookup);
            return t.negated() != result;
        } else if (e instanceof Expr.Unary u) {
            Object v = eval(u.operand());
            return switch (u.op()) {
                case "not" -> !PythonValues.truthy(v);
                case "-" -> Operators.negate(v);
                default -> v;
            };
        } else if (e instanceof Expr.Binary b) {
            if (b.op().equals("and")) {
                Object left = eval(b.left());
                return PythonValues.truthy(left) ? eval(b.right()) : left;
            }
            if (b.op().equals("or")) {
                Object left = eval(b.left());
                return PythonValues.truthy(left) ? left : eval(b.right());
            }
            return Operators.binary(b.op(), eval(b.left()), eval(b.right()));
        } else if (e instanceof Expr.Compare c) {
            Object left = eval(c.first());
            for (int i = 0; i < c.ops().size(); i++) {
                Object right = eval(c.rest().get(i));
                if (!Operators.compare(c.ops().get(i), left, right)) {
                    return false;
                }
                left = right;
            }
            return true;
        } else if (e instanceof Expr.Conditional c) {
            return PythonValues.truthy(eval(c.test())) ? eval(c.then()) : eval(c.orElse());
        }
        throw new IllegalStateException("unknown expression " + e);
    }

    private Object optional(Expr e) {
        return e == null ? null : eval(e);
    }

    private Object call(Expr.Call c) {
        List<Object> args = new ArrayList<>();
        c.args().forEach(x -> args.add(eval(x)));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        c.kwargs().forEach((k, v) -> kwargs.put(k, eval(v)));
        if (c.callee() instanceof Expr.Attr a) {
            Object target = eval(a.target());
            if (!(target instanceof Map<?, ?> m && m.get(a.name()) instanceof Callable)
                    && !(target instanceof Namespace)) {
                return Members.callMethod(target, a.name(), args, kwargs);
            }
        }
        Object callee = eval(c.callee());
        if (callee instanceof Callable f) {
            return f.call(args, kwargs);
        }
        if (callee instanceof Undefined u) {
            throw new IllegalArgumentException(u.message());
        }
        throw new IllegalArgumentException("'" + PythonValues.typeName(callee) + "' object is not callable");
    }

    private Object applyFilter(Expr.Filter f, Object value) {
        List<Object> args = new ArrayList<>();
        f.args().forEach(x -> args.add(eval(x)));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        f.kwargs().forEach((k, v) -> kwargs.put(k, eval(v)));
        return Filters.filter(f.name(), value, args, kwargs, this::lookup);
    }
}
