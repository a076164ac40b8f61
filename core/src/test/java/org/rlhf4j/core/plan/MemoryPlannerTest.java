package org.rlhf4j.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.MemoryOptions;

class MemoryPlannerTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** D 8, F 16, 1 layer, 2 heads / 1 KV head (hd 4), V 10, untied. */
    private static final LlamaConfig TOY = LlamaConfig.parse("{\"hidden_size\":8,\"intermediate_size\":16,"
            + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"vocab_size\":10,"
            + "\"tie_word_embeddings\":false}");

    /** Llama-3.2-1B's shape: 1.24B parameters, tied. */
    private static final LlamaConfig LLAMA_1B = LlamaConfig.parse("{\"hidden_size\":2048,\"intermediate_size\":8192,"
            + "\"num_hidden_layers\":16,\"num_attention_heads\":32,\"num_key_value_heads\":8,\"head_dim\":64,"
            + "\"vocab_size\":128256,\"tie_word_embeddings\":true}");

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @Test
    void countsEveryComponentOfAToyModelByHand() throws Exception {
        PlanInputs in = PlanInputs.of(yaml("train: {batch_size: 1, max_seq_len: 4, logits_chunk_tokens: 0}"), TOY);
        MemoryPlan plan = MemoryPlanner.plan(in);
        // parameters: embed 80, q 64, k 32, v 32, o 64, two norms 16, gate/up/down 384, final norm 8, head 80 = 760
        assertEquals(760 * 4, plan.components().get("weights"));
        assertEquals(760 * 4, plan.components().get("gradients"));
        assertEquals(760 * 8, plan.components().get("optimizer (AdamW)"));
        // per layer and token: (10*8 + 9*8 + 6*4 + 5*16) * 4 B + 3 * 2 heads * T 4 * 4 B = 1024 + 96 = 1120 B;
        // 4 tokens: 4480 B a layer; (1 layer + 2 for backward) = 13440, plus embeddings and final norm
        // 4 * 4 * 8 * 4 = 512
        assertEquals(13440 + 512, plan.components().get("activations"));
        assertEquals(760 * 4, plan.components().get("mapped checkpoint file")); // float32 files
        // two (4 tokens, V 10) float32 arrays: the logits and their log-softmax
        assertEquals(2 * 4 * 10 * 4, plan.components().get("logits"));
        assertEquals(300L << 20, plan.components().get("runtime"));
        assertEquals((300L << 20) + 3040 + 3040 + 3040 + 6080 + 13952 + 320, plan.peakBytes());

        // checkpointing keeps 1 layer input (4 * 8 * 4 = 128) plus 3 layers' worth; a chunk of 3 tokens
        MemoryPlan saving = MemoryPlanner.plan(in.with(new MemoryOptions(true, 3), 0, List.of(), 1, 1));
        assertEquals(128 + 3 * 4480 + 512, saving.components().get("activations"));
        assertEquals(2 * 3 * 10 * 4, saving.components().get("logits"));
    }

    @Test
    void loraTrainsOnlyTheAdaptersAndReadsItsKeysLeniently() throws Exception {
        PlanInputs in = PlanInputs.of(yaml("train: {batch_size: 1, max_seq_len: 4}\nlora: {r: 2, target_modules: "
                + "'q_proj, v_proj', alpha: 16, some_future_key: 1}"), TOY);
        assertEquals(List.of("q_proj", "v_proj"), in.loraTargets());
        MemoryPlan plan = MemoryPlanner.plan(in);
        // q: 2 * (8 in + 8 out) = 32, v: 2 * (8 + 4) = 24 -> 56 trainable; the base weights stay
        assertEquals(56 * 4, plan.components().get("gradients"));
        assertEquals(56 * 8, plan.components().get("optimizer (AdamW)"));
        assertEquals(760 * 4, plan.components().get("weights"));
        // dropout keeps each adapted projection's dropped-out input: q and v read D 8 each, 16 values x 4 B
        // x 4 tokens x (1 layer + 2 for backward) = 768 B more
        MemoryPlan dropout = MemoryPlanner.plan(PlanInputs.of(yaml("train: {batch_size: 1, max_seq_len: 4}\n"
                + "lora: {r: 2, target_modules: [q_proj, v_proj], dropout: 0.05}"), TOY));
        assertEquals(plan.components().get("activations") + 768, dropout.components().get("activations"));
        assertEquals(7, PlanInputs.of(yaml("lora: {r: 4, target_modules: all-linear}"), TOY).loraTargets().size());
        assertEquals(List.of("q_proj", "v_proj"), PlanInputs.of(yaml("lora: {r: 4}"), TOY).loraTargets());
    }

    @Test
    void loraOptimizerTemporariesAreThoseOfAnAdapterNotOfTheFrozenEmbedding() throws Exception {
        // V 1000: the embedding and head (8000 values each) dwarf one token's activations
        LlamaConfig wide = LlamaConfig.parse("{\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"num_key_value_heads\":1,\"vocab_size\":1000,\"tie_word_embeddings\":false}");
        String train = "train: {batch_size: 1, max_seq_len: 1, logits_chunk_tokens: 0}";
        MemoryPlan full = MemoryPlanner.plan(PlanInputs.of(yaml(train), wide));
        // AdamW's update of the (1000, 8) head: 3 float32 temporaries of 8000 values
        assertEquals(3 * 8000 * 4, full.components().get("optimizer temporaries"));
        MemoryPlan lora = MemoryPlanner.plan(PlanInputs.of(yaml(train + "\nlora: {r: 2}"), wide));
        // the largest adapter is r 2 x F 16 = 32 values: 384 B of temporaries, below the step phase, whose
        // activations are (1 layer + 2) x 1 token x ((10*8 + 9*8 + 6*4 + 5*16) * 4 + 3 * 2 * 1 * 4) = 3144
        // plus embeddings and final norm 1 * 4 * 8 * 4 = 128
        assertFalse(lora.components().containsKey("optimizer temporaries"));
        assertEquals(3144 + 128, lora.components().get("activations"));
        assertEquals(2 * 1000 * 4, lora.components().get("logits"));
    }

    @Test
    void readsTheStageAndItsCopies() throws Exception {
        assertEquals(PlanInputs.Stage.SFT, PlanInputs.of(yaml("sft: {}"), TOY).stage());
        PlanInputs dpo = PlanInputs.of(yaml("dpo: {reference: frozen}"), TOY);
        assertEquals(PlanInputs.Stage.DPO, dpo.stage());
        assertTrue(dpo.referenceCopy());
        assertFalse(PlanInputs.of(yaml("dpo: {beta: 0.1}"), TOY).referenceCopy(), "precomputed by default");
        PlanInputs ppo = PlanInputs.of(yaml("train: {batch_size: 4}\nppo: {max_prompt_len: 10, max_new_tokens: 6}\n"
                + "rewards: {sources: {helpful: {model: rm}, rule: {type: regex}}}"), TOY);
        assertEquals(16, ppo.seqLen());
        assertTrue(ppo.critic());
        assertEquals(1, ppo.rewardModels());
        MemoryPlan plan = MemoryPlanner.plan(ppo);
        // the rollout cache: 2 (k, v) x 1 layer x KV*hd 4 x 4 B x 4 rows x 16 slots
        assertEquals(2 * 4 * 4 * 4 * 16, plan.components().get("rollout KV cache"));
        assertTrue(plan.components().containsKey("reference copy"));
        assertFalse(PlanInputs.of(yaml("ppo: {advantage: grpo}"), TOY).critic());
    }

    @Test
    void aLoraCriticAddsItsAdaptersAndHeadNotASecondModel() throws Exception {
        String ppo = "train: {batch_size: 1, max_seq_len: 4}\nlora: {r: 2}\n"
                + "ppo: {max_prompt_len: 2, max_new_tokens: 2, reference: adapters_off";
        MemoryPlan full = MemoryPlanner.plan(PlanInputs.of(yaml(ppo + "}"), TOY));
        MemoryPlan lora = MemoryPlanner.plan(PlanInputs.of(yaml(ppo
                + ", critic_lora: {r: 2, target_modules: [q_proj]}}"), TOY));
        long activations = full.components().get("critic") - 760 * 4 - 760 * (4 + 8); // as the full critic's
        // q_proj (in 8, out 8) at r 2: 2 * (8 + 8) = 32, plus the value head's 8 weights = 40 values,
        // each with its weight and gradient (4 B) and AdamW's two moments (8 B)
        assertEquals(40 * (4 + 4 + 8) + activations, lora.components().get("critic (LoRA)"));
        assertFalse(lora.components().containsKey("critic"));
        for (String estimator : new String[] {"grpo", "rloo", "reinforce_baseline"}) {
            assertFalse(PlanInputs.of(yaml("ppo: {advantage: " + estimator + "}"), TOY).critic(), estimator);
        }
    }

    @Test
    void aHalfPrecisionLoraBaseHalvesTheWeightsAndCountsItsWidenedCopies() throws Exception {
        String train = "train: {batch_size: 1, max_seq_len: 4%s}\nlora: {r: 2, base_dtype: float16}";
        MemoryPlan half = MemoryPlanner.plan(PlanInputs.of(yaml(String.format(train, "")), TOY));
        assertEquals(760 * 2, half.components().get("weights"));
        assertEquals(760 * 4, half.components().get("widened half base"), "every layer's, kept until its backward");
        MemoryPlan checkpointed = MemoryPlanner.plan(PlanInputs.of(yaml(String.format(train,
                ", gradient_checkpointing: true")), TOY));
        assertEquals(760 * 4, checkpointed.components().get("widened half base"), "one layer of one: the same here");
        assertEquals(760 * 4, MemoryPlanner.plan(PlanInputs.of(yaml("lora: {r: 2}"), TOY)).components().get("weights"));
    }

    @Test
    void fullFineTuningOfA1BModelDoesNotFit24GiB() throws Exception {
        PlanInputs in = PlanInputs.of(yaml("train: {batch_size: 4, max_seq_len: 512}"), LLAMA_1B);
        long budget = MemoryBudget.parse("24GiB", "--memory");
        MemoryPlan plan = MemoryPlanner.plan(in);
        // 16 bytes a parameter before any activation: 1.236e9 * 16 = 19.8e9 B = 18.4 GiB
        long states = plan.components().get("weights") + plan.components().get("gradients")
                + plan.components().get("optimizer (AdamW)");
        assertEquals(18.4, states / (double) (1L << 30), 0.05);
        assertTrue(plan.peakBytes() > budget, "does not fit: " + MemoryPlan.gib(plan.peakBytes()));
        MemoryPlanner.Option option = MemoryPlanner.whatFits(in, budget);
        assertNotNull(option);
        assertTrue(option.plan().peakBytes() <= budget);
    }

    @Test
    void memorySizesParseWithTheirUnits() {
        assertEquals(24L << 30, MemoryBudget.parse("24GiB", "--memory"));
        assertEquals(16_000_000_000L, MemoryBudget.parse("16GB", "--memory"));
        assertEquals(8000L << 20, MemoryBudget.parse("8000MiB", "--memory"));
        assertEquals(2L << 30, MemoryBudget.parse("2", "--memory"));
        assertTrue(assertThrows(ConfigException.class, () -> MemoryBudget.parse("lots", "--memory")).getMessage()
                .startsWith("--memory: expected a size"));
    }
}
