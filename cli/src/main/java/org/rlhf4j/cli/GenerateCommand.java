package org.rlhf4j.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.generate.TextGenerator;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.tokenizer.StreamingDecoder;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatMlTemplate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j generate}: ChatML-wrapped generation for one prompt or a JSONL file of prompts. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate responses. The prompt is wrapped in the ChatML template",
            "(<|im_start|>user ... <|im_end|> <|im_start|>assistant); a single prompt streams to the terminal."},
        footer = {"", "Examples:",
            "  rlhf4j generate --model runs/sft/final --prompt \"What is 2+3?\"",
            "  rlhf4j generate --model runs/sft/final --input prompts.jsonl --out out.jsonl --temperature 0.7"})
final class GenerateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final class Source {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "One user prompt.")
        String prompt;

        @Option(names = "--input", paramLabel = "FILE",
                description = "JSONL of {\"prompt\": ...} or {\"messages\": [...]} lines.")
        Path input;
    }

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--out", paramLabel = "FILE", description = "JSONL output for --input (default: standard output).")
    Path out;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        SamplingParams params = new SamplingParams(maxNewTokens, temperature, topK, topP, seed);
        try (PretrainedModel m = PretrainedModel.load(model, device.resolve(), DataType.FLOAT32)) {
            TextGenerator generator = new TextGenerator(m.model(), m.manager());
            PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            if (source.prompt != null) {
                int[] prompt = m.tokenizer().encode(ChatMlTemplate.prompt(system, source.prompt));
                StreamingDecoder decoder = m.tokenizer().streamingDecoder(true);
                TextGenerator.Result r = generator.generate(prompt, params, m.stopTokenIds(),
                        id -> stdout.print(decoder.push(id)));
                stdout.println(decoder.finish());
                System.err.printf("[%d tokens, finish_reason=%s]%n", r.responseIds().length,
                        r.finishReason().jsonName());
                return 0;
            }
            List<JsonNode> prompts = readPrompts(source.input);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < prompts.size(); i++) {
                JsonNode p = prompts.get(i);
                String rendered = render(p);
                int[] promptIds = m.tokenizer().encode(rendered);
                TextGenerator.Result r = generator.generate(promptIds, params, m.stopTokenIds(), id -> { });
                ObjectNode o = JSON.createObjectNode();
                o.put("prompt", p.has("prompt") ? p.get("prompt").asText() : rendered);
                o.put("response", m.tokenizer().decode(r.responseIds(), true));
                var pi = o.putArray("prompt_ids");
                for (int id : promptIds) {
                    pi.add(id);
                }
                var ri = o.putArray("response_ids");
                for (int id : r.responseIds()) {
                    ri.add(id);
                }
                o.put("finish_reason", r.finishReason().jsonName());
                text.append(JSON.writeValueAsString(o)).append('\n');
                System.err.printf("\rgenerate: %d/%d prompts", i + 1, prompts.size());
            }
            System.err.println();
            if (out == null) {
                stdout.print(text);
            } else {
                AtomicFiles.writeString(out, text.toString());
                System.err.printf("wrote %d lines to %s%n", prompts.size(), out);
            }
        }
        return 0;
    }

    private String render(JsonNode p) {
        if (p.has("messages")) {
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) {
                messages.add(ChatMessage.system(system));
            }
            for (JsonNode m : p.get("messages")) {
                messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            return ChatMlTemplate.render(messages, true);
        }
        String sys = p.has("system") ? p.get("system").asText() : system;
        return ChatMlTemplate.prompt(sys, p.get("prompt").asText());
    }

    private static List<JsonNode> readPrompts(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<JsonNode> prompts = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String where = file + ":" + (n + 1) + ": ";
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(n));
            } catch (Exception e) {
                throw new IllegalArgumentException(where + "not valid JSON");
            }
            boolean ok = (node.has("prompt") && node.get("prompt").isTextual())
                    || (node.has("messages") && node.get("messages").isArray() && validMessages(node.get("messages")));
            if (!ok) {
                throw new IllegalArgumentException(where + "expected {\"prompt\": \"...\"} or "
                        + "{\"messages\": [{\"role\": ..., \"content\": ...}, ...]}");
            }
            prompts.add(node);
        }
        return prompts;
    }

    private static boolean validMessages(JsonNode messages) {
        for (JsonNode m : messages) {
            if (!m.has("role") || !m.get("role").isTextual() || !m.has("content") || !m.get("content").isTextual()) {
                return false;
            }
        }
        return true;
    }
}
