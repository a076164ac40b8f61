package org.rlhf4j.dpo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.LossMaskEncoder;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import org.rlhf4j.datasets.io.TextLine;

/**
 * TEMPORARY: reads preference JSONL until the datasets module's {@code PreferenceDataset} (being
 * written for the reward stage) replaces it; {@link #loader} is the one place to swap. Reads
 * {@code {"prompt": "..." | "messages": [...], "chosen": "...", "rejected": "...", "system": "..."?}},
 * renders prompt + each response with the config's chat template, marks the response tokens with
 * {@link LossMaskEncoder}, and splits off the evaluation set ({@code data.eval} or a seeded
 * {@code data.eval_fraction}). Bad lines fail or are skipped per {@code data.on_bad_record},
 * reported as {@code FILE:LINE: what is wrong}. {@code preference}, {@code margin} and
 * {@code condition} are carried along but unused by DPO.
 */
final class InterimPreferenceReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LossMaskEncoder encoder;
    private final ChatTemplate template;
    private final BadRecords bad;

    private InterimPreferenceReader(Tokenizer tokenizer, ChatTemplate template, BadRecords bad) {
        this.encoder = new LossMaskEncoder(tokenizer);
        this.template = template;
        this.bad = bad;
    }

    /** The loader of the {@code data:} section. */
    static PreferenceData.Loader loader(DataConfig data, long seed) {
        return tokenizer -> {
            InterimPreferenceReader reader = new InterimPreferenceReader(tokenizer,
                    ChatTemplates.select(data.chatTemplate(), tokenizer), new BadRecords(data.skipBadRecords()));
            List<Path> files = new ArrayList<>(List.of(Path.of(data.train())));
            List<TokenizedPair> train = reader.read(Path.of(data.train()));
            List<TokenizedPair> eval;
            if (data.eval() != null) {
                files.add(Path.of(data.eval()));
                eval = reader.read(Path.of(data.eval()));
            } else {
                eval = new ArrayList<>();
                train = splitOff(train, data.evalFraction(), seed, eval, data.train());
            }
            if (train.isEmpty()) {
                throw new IllegalArgumentException(data.train() + ": no preference pair to train on ("
                        + reader.bad.count() + " skipped)");
            }
            if (reader.bad.count() > 0) {
                System.err.printf("skipped %d bad preference record(s): %s%n", reader.bad.count(), reader.bad.reasons());
            }
            return PreferenceData.of(train, eval, files);
        };
    }

    List<TokenizedPair> read(Path file) throws IOException {
        List<TokenizedPair> out = new ArrayList<>();
        StrictUtf8Lines.forEach(file, line -> readLine(line, out));
        return out;
    }

    private void readLine(TextLine line, List<TokenizedPair> out) {
        if (!line.decoded()) {
            bad.report(line.where(), line.decodeError());
            return;
        }
        if (line.text().isBlank()) {
            return;
        }
        try {
            JsonNode record = JSON.readTree(line.text());
            if (record == null || !record.isObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            List<ChatMessage> prompt = prompt(record);
            String chosen = text(record, "chosen");
            String rejected = text(record, "rejected");
            PreferencePair pair = new PreferencePair(prompt, chosen, rejected, optionalText(record, "preference"),
                    record.hasNonNull("margin") ? record.get("margin").asDouble() : null,
                    optionalText(record, "condition"), line.where());
            out.add(new TokenizedPair(encode(prompt, chosen), encode(prompt, rejected), pair));
        } catch (JsonProcessingException e) {
            bad.report(line.where(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            bad.report(line.where(), e.getMessage());
        }
    }

    private org.rlhf4j.datasets.TrainingSequence encode(List<ChatMessage> prompt, String response) {
        List<ChatMessage> conversation = new ArrayList<>(prompt);
        conversation.add(ChatMessage.assistant(response));
        return encoder.encode(template.renderForTraining(conversation));
    }

    private static List<ChatMessage> prompt(JsonNode record) {
        List<ChatMessage> prompt = new ArrayList<>();
        if (record.has("messages")) {
            if (record.has("prompt")) {
                throw new IllegalArgumentException("set either \"prompt\" or \"messages\", not both");
            }
            JsonNode messages = record.get("messages");
            if (!messages.isArray() || messages.isEmpty()) {
                throw new IllegalArgumentException("\"messages\" must be a non-empty array");
            }
            for (JsonNode m : messages) {
                String role = text(m, "role");
                if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                    throw new IllegalArgumentException("role must be system, user or assistant, got '" + role + "'");
                }
                prompt.add(new ChatMessage(role, text(m, "content")));
            }
            return prompt;
        }
        String system = optionalText(record, "system");
        if (system != null) {
            prompt.add(ChatMessage.system(system));
        }
        prompt.add(ChatMessage.user(text(record, "prompt")));
        return prompt;
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String key) {
        return node.hasNonNull(key) ? text(node, key) : null;
    }

    /** Moves a seeded random {@code fraction} of {@code all} to {@code eval}; the rest keep file order. */
    private static List<TokenizedPair> splitOff(List<TokenizedPair> all, double fraction, long seed,
            List<TokenizedPair> eval, String file) {
        if (fraction <= 0) {
            return all;
        }
        int n = all.size();
        int evalCount = Math.max(1, (int) Math.round(fraction * n));
        if (evalCount >= n) {
            throw new IllegalArgumentException(file + ": data.eval_fraction " + fraction + " of " + n
                    + " pairs leaves nothing to train on");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] held = new boolean[n];
        for (int i = 0; i < evalCount; i++) {
            held[order.get(i)] = true;
        }
        List<TokenizedPair> train = new ArrayList<>(n - evalCount);
        for (int i = 0; i < n; i++) {
            (held[i] ? eval : train).add(all.get(i));
        }
        return train;
    }
}
