/**
 * A Jinja2 renderer for Hugging Face chat templates that gives the bytes transformers'
 * {@code apply_chat_template} gives.
 *
 * <h2>Why our own renderer, not Jinjava or another Java Jinja</h2>
 * A chat template is only right if it renders byte for byte as Python Jinja2 renders it in
 * transformers (sandboxed, {@code trim_blocks}, {@code lstrip_blocks}, loop controls, transformers'
 * {@code tojson}, {@code raise_exception}, {@code strftime_now}): one stray space or newline moves
 * every token after it. We first configured Jinjava 2.7.3 (the engine this module used), which
 * left these gaps for real templates:
 * <ul>
 *   <li>It re-renders output that looks like template code ({@code {{ 7*6 }}} in a message became
 *       {@code 42}); turning nested interpretation off fixes that one.</li>
 *   <li>Its expression language is JUEL, not Python: no {@code messages[::-1]} (Qwen3), no Python
 *       string methods ({@code lstrip}, {@code startswith}, {@code split} with Python's rules), no
 *       Python {@code str()} of values ({@code True}, {@code None}, {@code ['a']}).</li>
 *   <li>Its {@code tojson} is Jackson's ({@code {"a":1}}) where transformers' is
 *       {@code json.dumps(ensure_ascii=False)} ({@code {"a": 1}}, {@code indent=4} for Llama 3.1's tool
 *       header); Jinja2's scoping ({@code set} inside a loop does not leak, hence {@code namespace})
 *       and whitespace rules differ at the edges.</li>
 * </ul>
 * Each gap needs a patch inside another engine's resolver and parser, and what it does not cover
 * fails silently with different bytes. No other Java Jinja on Maven Central targets Jinja2's
 * semantics (Pebble and Jtwig are Twig-like). The subset chat templates use is small and fixed, so
 * this package implements it directly, with Python's semantics in one place
 * ({@link org.rlhf4j.datasets.jinja.PythonValues}), no reflection (an unknown method, filter or test
 * is an error naming it; lists and dicts are read-only, as in {@code ImmutableSandboxedEnvironment}),
 * and context strings that are never parsed. The conformance suite
 * ({@code src/test/resources/chat-templates}) compares it with Jinja2's output on the published
 * templates of eleven models (Qwen3 in two revisions).
 *
 * <h2>What is supported</h2>
 * Tags {@code if/elif/else}, {@code for} (with {@code else}, an {@code if} filter, unpacking and
 * {@code loop.*}), {@code break}, {@code continue}, {@code set} (also {@code ns.attr} and block
 * set), {@code macro}, {@code filter}, {@code raw}, transformers' {@code generation}; comments and
 * {@code -}/{@code +} whitespace control. Expressions with Jinja2's precedence, slicing with steps,
 * {@code in}, {@code is [not] test}, {@code a if b else c}, {@code ~}; the filters and tests listed
 * in {@link org.rlhf4j.datasets.jinja.Filters} and the {@code str}/{@code dict} methods in
 * {@link org.rlhf4j.datasets.jinja.Members}. Not supported: {@code extends}, {@code include},
 * {@code import}, recursive loops.
 *
 * <h2>Errors</h2>
 * A {@link org.rlhf4j.datasets.jinja.TemplateException} names the template's source (the model
 * directory file or the path it was read from) and the template line; one raised by the template's
 * own {@code raise_exception} says so ({@code raisedByTemplate()}), so a data loader can blame the
 * record (FILE:LINE) instead of the template.
 */
package org.rlhf4j.datasets.jinja;
