package org.rlhf4j.datasets.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jinja2 semantics the conformance templates lean on, one at a time, and errors that say where. */
class JinjaTemplateTest {

    private static String render(String template, Map<String, ?> variables) {
        return JinjaTemplate.parse(template, "t.jinja").render(variables).text();
    }

    @Test
    void trimBlocksAndLstripBlocksAsTransformersSetsThem() {
        // the newline after a block tag goes, blanks before a block tag on its own line go; {{ }} keeps both
        assertEquals("a\n  b\n", render("{% if true %}\n    {% if true %}\na\n{% endif %}\n  {{ 'b' }}\n{% endif %}\n\n",
                Map.of()));
        assertEquals("xy", render("x  {%- if true -%}  \n y{% endif %}", Map.of()));
    }

    @Test
    void pythonStringMethodsSlicingAndNamespace() {
        String t = "{% set ns = namespace(n=0) %}{% for m in messages[::-1] %}{% set ns.n = ns.n + 1 %}"
                + "{{ m.split('</think>')[-1].lstrip('\\n').strip() }}|{% endfor %}{{ ns.n }}"
                + "{{ 'ab'.startswith(('x', 'a')) }}{{ 'a-b'.replace('-', '+').upper() }}{{ 'he is'.title() }}";
        assertEquals("b|x|2TrueA+BHe Is", render(t, Map.of("messages", List.of("x", "<think>y</think>\n b "))));
    }

    @Test
    void setInsideALoopDoesNotLeakOutOfIt() {
        assertEquals("1-0", render("{% set x = 0 %}{% for i in [1] %}{% set x = i %}{{ x }}{% endfor %}-{{ x }}", Map.of()));
    }

    @Test
    void loopControlsItemsDefinedAndIn() {
        String t = "{% for k, v in d.items() %}{% if k == 'skip' %}{% continue %}{% endif %}{{ k }}={{ v }};"
                + "{% if loop.index == 3 %}{% break %}{% endif %}{% endfor %}{{ d.missing is defined }}{{ 'a' in d }}";
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("a", 1);
        d.put("skip", 2);
        d.put("b", true);
        d.put("c", 3);
        assertEquals("a=1;b=True;FalseTrue", render(t, Map.of("d", d)));
    }

    @Test
    void tojsonIsPythonJsonDumpsWithoutAsciiEscapes() {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("city", "Zürich");
        v.put("n", List.of(1, 2.5, false));
        assertEquals("{\"city\": \"Zürich\", \"n\": [1, 2.5, false]}", render("{{ v | tojson }}", Map.of("v", v)));
        assertEquals("{\n  \"city\": \"Zürich\",\n  \"n\": [\n    1,\n    2.5,\n    false\n  ]\n}",
                render("{{ v | tojson(indent=2) }}", Map.of("v", v)));
    }

    @Test
    void syntaxErrorNamesSourceAndLine() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> JinjaTemplate.parse("ok\n{% if x %}\n{{ a + }}\n{% endif %}", "/models/m/tokenizer_config.json"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("/models/m/tokenizer_config.json, template line 3: "), e.getMessage());
        assertFalse(e.raisedByTemplate());
    }

    @Test
    void unknownFilterNamesItAndTheLine() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("\n\n{{ 'x' | shout }}", Map.of()));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("no filter named 'shout'"), e.getMessage());
    }

    @Test
    void raiseExceptionIsTheTemplatesOwnErrorWithItsLine() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% for m in messages %}\n{% if m == 'bad' %}\n{{ raise_exception('no ' ~ m) }}\n{% endif %}{% endfor %}",
                        Map.of("messages", List.of("ok", "bad"))));
        assertTrue(e.raisedByTemplate());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().endsWith("the template raised: no bad"), e.getMessage());
    }

    @Test
    void listsAreReadOnlyAsInTheImmutableSandbox() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% set x = [] %}{{ x.append(1) }}", Map.of()));
        assertTrue(e.getMessage().contains("unsafe"), e.getMessage());
    }
}
