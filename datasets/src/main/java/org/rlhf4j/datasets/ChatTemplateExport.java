package org.rlhf4j.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the chat template a stage trained with into its exported model directory, so that
 * {@code generate}, {@code eval} and transformers prompt the model as it was trained.
 *
 * <p>With {@code data.chat_template: auto} the exported tokenizer already carries the template that
 * was used (the model's own; ChatML if it had none, written out). Otherwise {@code chat_template}
 * of {@code tokenizer_config.json} (and {@code chat_template.jinja}, which transformers prefers,
 * when present) is replaced: by the ChatML template, the template file, or, for {@code none}, a
 * template that writes the contents as they are. {@code chat_template_kwargs} are not part of a
 * template and are not exported.
 */
public final class ChatTemplateExport {

    /** The Jinja equivalent of {@code none}: the contents one after another. */
    public static final String RAW_TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ChatTemplateExport() {}

    /**
     * Writes the template {@code data.chat_template} names into {@code modelDir}; does nothing for
     * {@code auto} or when {@code modelDir} is null (no final model).
     */
    public static void write(Path modelDir, DataConfig data) throws IOException {
        if (modelDir == null || data.chatTemplate().equals("auto")) {
            return;
        }
        String text = switch (data.chatTemplate()) {
            case "chatml" -> org.rlhf4j.core.tokenizer.ByteTokenizer.CHATML_TEMPLATE;
            case "none" -> RAW_TEMPLATE;
            default -> Files.readString(Path.of(data.chatTemplate()));
        };
        Path config = modelDir.resolve("tokenizer_config.json");
        ObjectNode root = Files.isRegularFile(config) ? (ObjectNode) JSON.readTree(config.toFile()) : JSON.createObjectNode();
        root.put("chat_template", text);
        JSON.writeValue(config.toFile(), root);
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            Files.writeString(jinja, text);
        }
    }
}
