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
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.scoring.TokenBudget;
import org.rlhf4j.core.scoring.SequenceTokenLogps;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j logprobs}: per-token log-probabilities of given sequences. */
@Command(name = "logprobs", mixinStandardHelpOptions = true,
        description = {"Per-token log-probabilities of sequences under a causal LM.",
            "Input lines: {\"ids\": [...]}, {\"text\": \"...\"} or {\"prompt\": \"...\", \"response\": \"...\"}.",
            "Output: {\"ids\", \"logprobs\"} with logprobs[t-1] = log p(ids[t] | ids[<t]); for prompt/response",
            "lines {\"prompt_ids\", \"response_ids\", \"logprobs\"} with one value per response token",
            "(the prompt is wrapped in the chat template as by generate: --chat-template)."},
        footer = {"", "Example:", "  rlhf4j logprobs --model runs/tiny --input ids.jsonl --out logprobs.jsonl"})
final class LogprobsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL input.")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "JSONL output (default: standard output).")
    Path out;

    @Option(names = "--batch-size", defaultValue = "64",
            description = "At most N sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-batch-tokens", defaultValue = "4096", paramLabel = "N",
            description = "Padded tokens per forward pass: sequences are sorted by length and packed up to N"
                    + " (rows x longest); a longer sequence runs alone. Memory grows with it (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Mixin
    ChatTemplateOption template = new ChatTemplateOption();

    @Mixin
    DeviceOption device = new DeviceOption();

    /** One input line, tokenized: the whole sequence and how many leading tokens are prompt. */
    private record Item(int line, int[] ids, int promptLength, boolean split) {}

    @Override
    public Integer call() throws Exception {
        OutputFile.requireWritable("--out", out);
        TokenBudget budget = new TokenBudget(maxBatchTokens, batchSize); // checks both flags first
        try (PretrainedModel m = PretrainedModel.load(model, device.resolve(), DataType.FLOAT32)) {
            List<Item> items = read(m.tokenizer(), m.config().vocabSize());
            List<int[]> sequences = items.stream().map(Item::ids).toList();
            List<float[]> logprobs = SequenceTokenLogps.compute(m.model(), m.manager(), sequences, budget);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < items.size(); i++) {
                text.append(JSON.writeValueAsString(toJson(items.get(i), logprobs.get(i)))).append('\n');
            }
            if (out == null) {
                PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
                stdout.print(text);
                stdout.flush();
            } else {
                AtomicFiles.writeString(out, text.toString());
                System.err.printf("wrote %d lines to %s%n", items.size(), out);
            }
        }
        return 0;
    }

    private List<Item> read(Tokenizer tokenizer, int vocabSize) throws Exception {
        ChatTemplate chatTemplate = template.resolve(tokenizer);
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        List<Item> items = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String where = input + ":" + (n + 1) + ": ";
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (Exception e) {
                throw new UserException(where + "not valid JSON");
            }
            if (node.has("ids")) {
                JsonNode ids = node.get("ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw new UserException(where + "\"ids\" must be a non-empty array of token ids");
                }
                int[] seq = new int[ids.size()];
                for (int t = 0; t < seq.length; t++) {
                    // isIntegralNumber: canConvertToInt alone would read 1.5 as 1
                    if (!ids.get(t).isIntegralNumber() || !ids.get(t).canConvertToInt() || ids.get(t).asInt() < 0 || ids.get(t).asInt() >= vocabSize) {
                        throw new UserException(where + "ids[" + t + "] = " + ids.get(t)
                                + " is not a token id (an integer in [0, " + vocabSize + "))");
                    }
                    seq[t] = ids.get(t).asInt();
                }
                items.add(new Item(n + 1, seq, 0, false));
            } else if (node.has("text")) {
                items.add(new Item(n + 1, tokenizer.encode(requireText(node, "text", where)), 0, false));
            } else if (node.has("prompt") && node.has("response")) {
                String system = node.has("system") ? requireText(node, "system", where) : null;
                int[] prompt = tokenizer.encode(chatTemplate.prompt(system, requireText(node, "prompt", where)));
                int[] response = tokenizer.encode(requireText(node, "response", where));
                int[] all = new int[prompt.length + response.length];
                System.arraycopy(prompt, 0, all, 0, prompt.length);
                System.arraycopy(response, 0, all, prompt.length, response.length);
                items.add(new Item(n + 1, all, prompt.length, true));
            } else {
                throw new UserException(where
                        + "expected {\"ids\": [...]}, {\"text\": \"...\"} or {\"prompt\": \"...\", \"response\": \"...\"}");
            }
        }
        return items;
    }

    private static String requireText(JsonNode node, String key, String where) {
        if (!node.get(key).isTextual()) {
            throw new UserException(where + "\"" + key + "\" must be a string");
        }
        return node.get(key).asText();
    }

    private static ObjectNode toJson(Item item, float[] logprobs) {
        ObjectNode o = JSON.createObjectNode();
        if (item.split()) {
            var prompt = o.putArray("prompt_ids");
            var response = o.putArray("response_ids");
            for (int t = 0; t < item.ids().length; t++) {
                (t < item.promptLength() ? prompt : response).add(item.ids()[t]);
            }
            var lp = o.putArray("logprobs");
            for (int t = Math.max(0, item.promptLength() - 1); t < logprobs.length; t++) {
                lp.add(logprobs[t]);
            }
        } else {
            var ids = o.putArray("ids");
            for (int id : item.ids()) {
                ids.add(id);
            }
            var lp = o.putArray("logprobs");
            for (float v : logprobs) {
                lp.add(v);
            }
        }
        return o;
    }
}
