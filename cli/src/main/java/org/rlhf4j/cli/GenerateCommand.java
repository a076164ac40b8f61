package org.rlhf4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.tokenizer.StreamingDecoder;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.PromptDataset;
import org.rlhf4j.datasets.PromptRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j generate}: generation for one prompt or a JSONL file of prompts, in the model's chat template. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate responses with the batched KV-cache rollout engine. The prompt is wrapped in the",
            "model's own chat template (--chat-template; --raw for none, e.g. base models); a single prompt streams",
            "to the terminal, a file shows progress. --out lines: {\"prompt\", \"response\", \"prompt_ids\",",
            "\"response_ids\", \"finish_reason\": \"eos\"|\"stop\"|\"length\"}, prompt_ids as fed (template applied).",
            "Row i of the file samples with a generator seeded by (--seed, i), so --batch-size changes the",
            "samples only through float rounding."},
        footer = {"", "Examples:",
            "  rlhf4j generate --model runs/sft/final --prompt \"What is 2+3?\"",
            "  rlhf4j generate --model runs/sft/final --input prompts.jsonl --out out.jsonl --temperature 0.7",
            "  rlhf4j generate --model runs/sft/final --prompt \"Count to 5\" --stop \"4\" --max-new-tokens 64",
            "  rlhf4j generate --model base-model --raw --prompt \"Once upon a time\""})
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

    @Option(names = "--stop", paramLabel = "STRING",
            description = "End a response at this text (repeatable); it is cut from the response text.")
    List<String> stops = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "8",
            description = "Prompts generated together from --input (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Mixin
    ChatTemplateOption template = new ChatTemplateOption();

    @Option(names = "--raw", description = "No chat template: feed the prompt text as it is (= --chat-template none).")
    boolean raw;

    private ChatTemplate chatTemplate;

    @Override
    public Integer call() throws Exception {
        SamplingParams params = new SamplingParams(maxNewTokens, temperature, topK, topP, seed);
        OutputFile.requireWritable("--out", out); // now, not after generating
        if (batchSize < 1) {
            throw new UserException("--batch-size must be at least 1, got " + batchSize);
        }
        if (raw) {
            template.chatTemplate = "none";
        }
        try (PretrainedModel m = PretrainedModel.load(model, device.resolve(), DataType.FLOAT32)) {
            chatTemplate = template.resolve(m.tokenizer());
            RolloutEngine engine = new RolloutEngine(m.model(), m.tokenizer(), EngineOptions.defaults());
            StopCriteria stop = new StopCriteria(m.stopTokenIds(), new int[0], stops);
            if (source.prompt != null) {
                return streamOne(engine, m, params, stop);
            }
            generateFile(engine, m, params, stop);
        }
        return 0;
    }

    /** Prints the response as it is generated; text that may begin a stop string is held back. */
    private int streamOne(RolloutEngine engine, PretrainedModel m, SamplingParams params, StopCriteria stop) {
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int[] prompt = m.tokenizer().encode(chatTemplate.prompt(system, source.prompt));
        StreamingDecoder decoder = m.tokenizer().streamingDecoder(true);
        int holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
        StringBuilder streamed = new StringBuilder();
        int[] printed = {0};
        RolloutListener printer = new RolloutListener() {
            @Override
            public void onToken(int row, int id) {
                streamed.append(decoder.push(id));
                int upTo = streamed.length() - holdBack;
                if (upTo > printed[0]) {
                    stdout.print(streamed.substring(printed[0], upTo));
                    printed[0] = upTo;
                }
            }
        };
        try (NDManager scope = m.manager().newSubManager()) {
            Completion row = engine.generate(List.of(prompt), params, stop, 0, printer, scope).rows().get(0);
            String text = row.responseText();
            stdout.println(text.length() >= printed[0] ? text.substring(printed[0]) : "");
            System.err.printf("[%d tokens, finish_reason=%s]%n", row.responseIds().length,
                    row.finishReason().jsonName());
        }
        return 0;
    }

    /** Generates for every prompt of --input in batches and writes one JSON line per prompt, in input order. */
    private void generateFile(RolloutEngine engine, PretrainedModel m, SamplingParams params, StopCriteria stop)
            throws Exception {
        // The prompt format of DESIGN.md, validated with FILE:LINE messages by the datasets module.
        List<PromptRecord> prompts = PromptDataset.load(source.input, false).prompts();
        StringBuilder text = new StringBuilder();
        long started = System.nanoTime();
        long tokens = 0;
        for (int first = 0; first < prompts.size(); first += batchSize) {
            List<PromptRecord> chunk = prompts.subList(first, Math.min(prompts.size(), first + batchSize));
            List<String> rendered = chunk.stream().map(this::render).toList();
            List<int[]> ids = rendered.stream().map(r -> m.tokenizer().encode(r)).toList();
            try (NDManager scope = m.manager().newSubManager()) {
                RolloutBatch batch = engine.generate(ids, params, stop, first, RolloutListener.NONE, scope);
                for (int b = 0; b < chunk.size(); b++) {
                    Completion row = batch.rows().get(b);
                    text.append(JSON.writeValueAsString(toJson(shown(chunk.get(b), rendered.get(b)), row)))
                            .append('\n');
                    tokens += row.responseIds().length;
                }
            }
            int done = Math.min(prompts.size(), first + batchSize);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.err.printf("\rgenerate: %d/%d prompts, %d tokens, %.1f tokens/s", done, prompts.size(), tokens,
                    tokens / seconds);
        }
        System.err.println();
        if (out == null) {
            PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            stdout.print(text);
            stdout.flush();
        } else {
            AtomicFiles.writeString(out, text.toString());
            System.err.printf("wrote %d lines to %s%n", prompts.size(), out);
        }
    }

    private static ObjectNode toJson(String prompt, Completion row) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", prompt);
        o.put("response", row.responseText());
        var promptIds = o.putArray("prompt_ids");
        for (int id : row.promptIds()) {
            promptIds.add(id);
        }
        var responseIds = o.putArray("response_ids");
        for (int id : row.responseIds()) {
            responseIds.add(id);
        }
        o.put("finish_reason", row.finishReason().jsonName());
        return o;
    }

    /** The record's turns with the template's generation prompt; {@code --system} applies where it has none. */
    private String render(PromptRecord p) {
        List<ChatMessage> messages = new ArrayList<>();
        boolean hasSystem = p.messages().stream().anyMatch(m -> m.role().equals("system"));
        if (system != null && !hasSystem) {
            messages.add(ChatMessage.system(system));
        }
        messages.addAll(p.messages());
        return chatTemplate.render(messages, true);
    }

    /** What the output's {@code prompt} shows: the user's text for a one-turn prompt, else the rendered text. */
    private static String shown(PromptRecord p, String rendered) {
        long turns = p.messages().stream().filter(m -> !m.role().equals("system")).count();
        return turns == 1 ? p.userText() : rendered;
    }
}
