package org.rlhf4j.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.PromptRecord;
import org.rlhf4j.datasets.RenderedConversation;

/**
 * A reward model directory ({@code LlamaForSequenceClassification} or kin) as a reward source:
 * its score head at the last real token of prompt + response. Never builds a graph (scored
 * outside the gradient collector).
 *
 * <p>Three ways to a sequence, cheapest first: (1) a model that shares the policy's tokenizer and
 * gets no system prompt reads the rollout batch's own arrays; (2) a conditional model (COOL RLHF)
 * that shares the tokenizer gets the prompt re-rendered with the condition's system turn (it
 * replaces the prompt's own system turn) followed by the sampled response ids unchanged; (3) a
 * model with another tokenizer gets text rendered by its own chat template, cut after the
 * response's end of turn, as the reward stage renders what it trains on.
 */
final class RewardModelSource implements RewardSource {

    private static final String PROBE = "<|im_start|>user\nHello, world! 123 <|im_end|>\n<|im_start|>assistant\n";

    private final String name;
    private final PretrainedModel model;
    private final boolean conditional;
    private final Map<String, String> table;
    private final boolean sharesTokenizer;
    private final Tokenizer policyTokenizer;
    private final ChatTemplate policyTemplate;
    private final ChatTemplate ownTemplate;

    private RewardModelSource(String name, PretrainedModel model, boolean conditional, Map<String, String> table,
            boolean sharesTokenizer, Tokenizer policyTokenizer, ChatTemplate policyTemplate) {
        this.name = name;
        this.model = model;
        this.conditional = conditional;
        this.table = table == null ? Map.of() : table;
        this.sharesTokenizer = sharesTokenizer;
        this.policyTokenizer = policyTokenizer;
        this.policyTemplate = policyTemplate;
        this.ownTemplate = ChatTemplates.select("auto", model.tokenizer());
    }

    /** Loads the model directory of {@code config}; the source owns (and closes) the model. */
    static RewardModelSource open(String name, RewardSourceConfig config, Tokenizer policyTokenizer,
            ChatTemplate policyTemplate, Device device, DataType dtype) throws IOException {
        Path dir = Path.of(config.path());
        Map<String, String> table = org.rlhf4j.datasets.RewardConditions.read(dir).table(); // empty when the RM has none
        PretrainedModel model = PretrainedModel.load(dir, device, dtype);
        if (!model.model().hasScoreHead()) {
            String arch = model.config().architecture().hfName();
            model.close();
            throw new UserException("rewards.sources." + name + ": " + dir + " is a " + arch
                    + ", not a reward model; train one with `rlhf4j rm` (it exports LlamaForSequenceClassification)");
        }
        boolean conditional = config.conditional() != null ? config.conditional() : table != null && !table.isEmpty();
        return new RewardModelSource(name, model, conditional, table, sameTokenizer(policyTokenizer, model.tokenizer()),
                policyTokenizer, policyTemplate);
    }

    /** Same vocabulary size, EOS and encoding of a probe with the chat markers: ids can be shared. */
    static boolean sameTokenizer(Tokenizer a, Tokenizer b) {
        if (a.vocabSize() != b.vocabSize()) {
            return false;
        }
        try {
            if (a.eosId() != b.eosId()) {
                return false;
            }
        } catch (IllegalStateException noEos) {
            return false;
        }
        return Arrays.equals(a.encode(PROBE), b.encode(PROBE));
    }

    @Override
    public String name() {
        return name;
    }

    PretrainedModel model() {
        return model;
    }

    @Override
    public double[] score(ScoringBatch batch, int[] rows, NDManager scope) {
        try (NDManager call = scope.newSubManager()) {
            call.tempAttachAll(model.model().weights().asList()); // weight views die with the call
            float[] scores;
            if (sharesTokenizer) {
                RolloutBatch rollout = batch.rollout();
                boolean anySystem = false;
                List<int[]> prompts = new ArrayList<>(rows.length);
                List<int[]> responses = new ArrayList<>(rows.length);
                for (int r : rows) {
                    String system = systemPrompt(batch.prompts().get(r), batch.routes().get(r));
                    anySystem |= system != null;
                    prompts.add(system == null ? rollout.rows().get(r).promptIds()
                            : policyTokenizer.encode(policyTemplate.render(withSystem(batch.prompts().get(r), system),
                                    true)));
                    responses.add(rollout.rows().get(r).responseIds());
                }
                RolloutBatch input = !anySystem && rows.length == rollout.batchSize()
                        ? rollout
                        : RolloutBatch.of(prompts, responses, policyTokenizer, call);
                scores = RolloutScorer.rewards(model.model(), input, call).toFloatArray();
            } else {
                List<String> texts = new ArrayList<>(rows.length);
                for (int r : rows) {
                    PromptRecord prompt = batch.prompts().get(r);
                    String system = systemPrompt(prompt, batch.routes().get(r));
                    List<ChatMessage> conversation = new ArrayList<>(system == null ? prompt.messages()
                            : withSystem(prompt, system));
                    conversation.add(ChatMessage.assistant(batch.rollout().rows().get(r).responseText()));
                    RenderedConversation rendered = ownTemplate.renderForTraining(conversation);
                    var spans = rendered.lossSpans();
                    int end = spans.isEmpty() ? rendered.text().length() : spans.get(spans.size() - 1).end();
                    texts.add(rendered.text().substring(0, end));
                }
                scores = RolloutScorer.rewards(model.model(), model.tokenizer(), texts, call).toFloatArray();
            }
            double[] out = new double[scores.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = scores[i];
            }
            return out;
        }
    }

    /**
     * The system prompt this (conditional) model sees for a prompt: the routing entry's
     * {@code system_prompt}; else the prompt's {@code condition} (or the routing entry's name) as
     * a verbatim text when it contains whitespace or looked up in the model's table; else none.
     */
    String systemPrompt(PromptRecord prompt, RewardRouter.Route route) {
        if (!conditional) {
            return null;
        }
        if (route.config() != null && route.config().systemPrompt() != null) {
            return route.config().systemPrompt();
        }
        String key = prompt.condition() != null ? prompt.condition() : route.condition();
        if (key == null) {
            return null;
        }
        if (key.chars().anyMatch(Character::isWhitespace)) {
            return key;
        }
        return table.get(key);
    }

    private static List<ChatMessage> withSystem(PromptRecord prompt, String system) {
        List<ChatMessage> out = new ArrayList<>();
        out.add(ChatMessage.system(system));
        for (ChatMessage m : prompt.messages()) {
            if (!m.role().equals("system")) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
