package org.rlhf4j.datasets.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real models' chat templates rendered on a shared set of conversations, compared byte for byte with
 * Python Jinja2 configured as transformers configures it (see
 * {@code src/test/resources/chat-templates/README.md} and {@code generate_goldens.py} there). Each
 * template file must also keep the SHA-256 recorded in {@code templates.json}: the files are the
 * published {@code chat_template} strings byte for byte.
 */
class ChatTemplateConformanceTest {

    static final Path ROOT = Path.of("src/test/resources/chat-templates");
    // the generator's strftime_now reads this fixed time
    static final Clock FIXED = Clock.fixed(LocalDateTime.of(2026, 12, 5, 12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> everyTemplateRendersEveryConversationAsJinja2Does() throws IOException {
        Map<String, Map<String, Object>> manifest = JSON.readValue(ROOT.resolve("templates.json").toFile(),
                new TypeReference<LinkedHashMap<String, Map<String, Object>>>() {});
        List<Map<String, Object>> conversations = JSON.readValue(ROOT.resolve("conversations.json").toFile(),
                new TypeReference<List<Map<String, Object>>>() {});
        assertTrue(manifest.size() >= 10, "at least 10 templates");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> t : manifest.entrySet()) {
            Path file = ROOT.resolve("templates").resolve(t.getKey() + ".jinja");
            tests.add(DynamicTest.dynamicTest(t.getKey() + " is the published text",
                    () -> assertEquals(t.getValue().get("sha256"), sha256(file), file
                            + " no longer has the bytes recorded in templates.json; it must stay the published"
                            + " chat_template string exactly (an editor adding a final newline is enough to break it)")));
            JinjaTemplate template = JinjaTemplate.parse(Files.readString(file), file.toString(), FIXED);
            @SuppressWarnings("unchecked")
            Map<String, Object> specials = (Map<String, Object>) t.getValue().get("special_tokens");
            for (Map<String, Object> conversation : conversations) {
                String name = conversation.get("name").toString();
                tests.add(DynamicTest.dynamicTest(t.getKey() + " / " + name,
                        () -> check(template, specials, conversation, ROOT.resolve("goldens").resolve(t.getKey()), name)));
            }
        }
        return tests;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(JinjaTemplate template, Map<String, Object> specials, Map<String, Object> conversation,
            Path goldens, String name) throws IOException {
        Map<String, Object> variables = new HashMap<>(specials);
        variables.putAll((Map<String, Object>) conversation.getOrDefault("chat_template_kwargs", Map.of()));
        variables.put("messages", conversation.get("messages"));
        variables.put("tools", conversation.get("tools"));
        variables.put("documents", null);
        variables.put("add_generation_prompt", conversation.getOrDefault("add_generation_prompt", false));
        Path text = goldens.resolve(name + ".txt");
        if (Files.exists(text)) {
            String expected = Files.readString(text, StandardCharsets.UTF_8);
            assertEquals(expected, template.render(variables).text());
            return;
        }
        String expected = Files.readString(goldens.resolve(name + ".error"), StandardCharsets.UTF_8);
        TemplateException e = assertThrows(TemplateException.class, () -> template.render(variables));
        if (expected.startsWith("raise_exception: ")) {
            assertTrue(e.raisedByTemplate(), e.getMessage());
            assertTrue(e.getMessage().endsWith(expected.substring("raise_exception: ".length())), e.getMessage());
        } else {
            assertFalse(e.raisedByTemplate(), e.getMessage());
        }
    }
}
