package org.rlhf4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.MessageReader;
import org.rlhf4j.datasets.format.ToolSchemas;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.TextLine;
import org.rlhf4j.datasets.jinja.TemplateException;

/**
 * Renders one JSONL record ({@code messages}, optional {@code tools} and {@code chat_template_kwargs})
 * as training sees it: {@code {"text", "ids", "loss_mask"}}, for {@code rlhf4j data render}.
 *
 * <p>Messages keep their other keys ({@code tool_calls}, {@code reasoning_content}, ...) for the
 * template. A record the template rejects ({@code raise_exception}) or cannot render is a
 * {@link BadRecordException} naming {@code FILE:LINE}; a fault of the template itself names the
 * template's source and line.
 */
public final class RecordRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatTemplate template;
    private final LossMaskEncoder encoder;

    public RecordRenderer(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.encoder = new LossMaskEncoder(tokenizer);
    }

    /** Renders a decoded, non-blank line. */
    public ObjectNode render(TextLine line) {
        String where = line.where();
        if (!line.decoded()) {
            throw new BadRecordException(where + ": " + line.decodeError());
        }
        JsonNode record;
        try {
            record = JSON.readTree(line.text());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRecordException(where + ": not JSON (" + e.getOriginalMessage() + "); expected"
                    + " {\"messages\": [{\"role\": ..., \"content\": ...}, ...]}");
        }
        List<ChatMessage> messages = messages(record, where);
        ChatTemplate used = template;
        JsonNode kwargs = record.path("chat_template_kwargs");
        if (!kwargs.isMissingNode() && !kwargs.isNull()) {
            if (!kwargs.isObject()) {
                throw new BadRecordException(where + ": chat_template_kwargs must be an object of template variables");
            }
            if (template instanceof JinjaChatTemplate jinja) {
                used = jinja.withKwargs(JSON.convertValue(kwargs, LinkedHashMap.class));
            }
        }
        try {
            used = used.withTools(ToolSchemas.read(record));
        } catch (InvalidRecord e) {
            throw new BadRecordException(where + ": " + e.getMessage());
        }
        RenderedConversation rendered;
        try {
            rendered = used.renderForTraining(messages);
        } catch (TemplateException e) {
            if (!e.raisedByTemplate()) {
                throw e;
            }
            throw new BadRecordException(where + ": the chat template rejects this conversation: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(where + ": " + e.getMessage());
        }
        TrainingSequence seq = encoder.encode(rendered);
        ObjectNode out = JSON.createObjectNode();
        out.put("text", rendered.text());
        ArrayNode ids = out.putArray("ids");
        ArrayNode mask = out.putArray("loss_mask");
        for (int t = 0; t < seq.ids().length; t++) {
            ids.add(seq.ids()[t]);
            mask.add(seq.lossMask()[t] ? 1 : 0);
        }
        return out;
    }

    private static List<ChatMessage> messages(JsonNode record, String where) {
        try {
            return MessageReader.openAi(Map.of()).read(record.path("messages"), "messages");
        } catch (InvalidRecord e) {
            throw new BadRecordException(where + ": " + e.getMessage());
        }
    }
}
