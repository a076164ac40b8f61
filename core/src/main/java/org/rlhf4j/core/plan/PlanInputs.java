package org.rlhf4j.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.MemoryOptions;

/**
 * What a stage run holds in memory, read from its config tree leniently (a planner must not refuse
 * a config for keys it does not know, nor need a stage's classes) with the stages' defaults.
 *
 * @param stage which loop runs
 * @param model the trained model's config.json
 * @param batchSize rows per micro-batch ({@code train.batch_size}; PPO: rollout rows)
 * @param seqLen tokens per row ({@code train.max_seq_len}; PPO: prompt + response)
 * @param gradAccum micro-batches per optimizer step
 * @param bytesPerValue 4 for float32 compute, 2 for float16
 * @param memory the run's checkpointing and head-chunk switches
 * @param loraRank the LoRA rank, 0 without adapters ({@code lora.r})
 * @param loraTargets the adapted projections ({@code lora.target_modules}, PEFT's q_proj,v_proj by default)
 * @param loraDropout the adapters' input dropout while training ({@code lora.dropout}, default 0)
 * @param referenceCopy a second copy of the weights as a frozen reference (DPO {@code reference: frozen},
 *     PPO without {@code adapters_off})
 * @param critic PPO's critic: a trained copy with its own gradients and AdamW moments
 * @param rewardModels PPO's reward models held in memory
 * @param miniBatch PPO: rows per optimizer step of the update phase (else = batch size)
 * @param baseBytes bytes per value of a LoRA run's frozen base ({@code lora.base_dtype: float16}: 2),
 *     else {@code bytesPerValue}
 * @param criticLoraRank PPO: the rank of a LoRA critic ({@code ppo.critic_lora.r}) on a base already in
 *     memory (the policy's or a reward model's), 0 for a critic that is a full copy
 * @param criticLoraTargets the LoRA critic's adapted projections
 */
public record PlanInputs(Stage stage, LlamaConfig model, int batchSize, int seqLen, int gradAccum, int bytesPerValue,
        MemoryOptions memory, int loraRank, List<String> loraTargets, double loraDropout, boolean referenceCopy,
        boolean critic,
        int rewardModels, int miniBatch, int baseBytes, int criticLoraRank, List<String> criticLoraTargets) {

    /** Inputs without a half-precision base or a LoRA critic. */
    public PlanInputs(Stage stage, LlamaConfig model, int batchSize, int seqLen, int gradAccum, int bytesPerValue,
            MemoryOptions memory, int loraRank, List<String> loraTargets, double loraDropout, boolean referenceCopy,
            boolean critic, int rewardModels, int miniBatch) {
        this(stage, model, batchSize, seqLen, gradAccum, bytesPerValue, memory, loraRank, loraTargets, loraDropout,
                referenceCopy, critic, rewardModels, miniBatch, bytesPerValue, 0, List.of());
    }

    /** The training loops a plan knows. */
    public enum Stage {
        SFT, RM, DPO, PPO;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** PEFT's default LoRA targets for Llama-family models. */
    static final List<String> DEFAULT_LORA_TARGETS = List.of("q_proj", "v_proj");

    /** Every projection a LoRA adapter may target. */
    static final List<String> ALL_PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    /** Reads a resolved or raw stage config {@code tree}; {@code model} is the starting model's config.json. */
    public static PlanInputs of(JsonNode tree, LlamaConfig model) {
        JsonNode train = tree.path("train");
        Stage stage = tree.hasNonNull("ppo") ? Stage.PPO : tree.hasNonNull("dpo") ? Stage.DPO
                : tree.hasNonNull("rm") ? Stage.RM : Stage.SFT;
        int batch = integer(train, "batch_size", 8);
        int seqLen = integer(train, "max_seq_len", 1024);
        int bytes = "float16".equalsIgnoreCase(text(tree, "dtype", "float32")) ? 2 : 4;
        MemoryOptions memory = new MemoryOptions(train.path("gradient_checkpointing").asBoolean(false),
                integer(train, "logits_chunk_tokens", MemoryOptions.AUTO));
        JsonNode lora = tree.path("lora");
        int rank = lora.isObject() ? integer(lora, "r", 8) : 0;
        List<String> targets = rank > 0 ? targets(lora.path("target_modules")) : List.of();
        double dropout = rank > 0 ? lora.path("dropout").asDouble(0) : 0;
        int baseBytes = rank > 0 && "float16".equalsIgnoreCase(text(lora, "base_dtype", "float32")) ? 2 : bytes;
        int criticRank = 0;
        List<String> criticTargets = List.of();
        boolean referenceCopy = false;
        boolean critic = false;
        int rewardModels = 0;
        int miniBatch = batch;
        if (stage == Stage.DPO) {
            referenceCopy = "frozen".equalsIgnoreCase(text(tree.path("dpo"), "reference", "precomputed"));
        } else if (stage == Stage.PPO) {
            JsonNode ppo = tree.path("ppo");
            seqLen = integer(ppo, "max_prompt_len", 256) + integer(ppo, "max_new_tokens", 64);
            miniBatch = integer(ppo, "mini_batch_size", batch);
            referenceCopy = !"adapters_off".equalsIgnoreCase(text(ppo, "reference", ""));
            critic = "gae".equalsIgnoreCase(text(ppo, "advantage", "gae"));
            JsonNode criticLora = ppo.path("critic_lora");
            if (critic && criticLora.isObject()) {
                criticRank = integer(criticLora, "r", 8);
                criticTargets = targets(criticLora.path("target_modules"));
            }
            for (JsonNode source : tree.path("rewards").path("sources")) {
                if (source.hasNonNull("model")) {
                    rewardModels++;
                }
            }
        }
        return new PlanInputs(stage, model, batch, seqLen, integer(train, "grad_accum", 1), bytes, memory, rank,
                targets, dropout, referenceCopy, critic, rewardModels, miniBatch, baseBytes, criticRank, criticTargets);
    }

    /** These inputs with other memory switches, LoRA rank or micro-batch (the planner's what-ifs). */
    PlanInputs with(MemoryOptions memory, int loraRank, List<String> loraTargets, int batchSize, int gradAccum) {
        // adapters the planner suggests have no dropout (PEFT's and rlhf4j's default)
        return new PlanInputs(stage, model, batchSize, seqLen, gradAccum, bytesPerValue, memory, loraRank, loraTargets,
                this.loraRank > 0 && loraRank > 0 ? loraDropout : 0,
                referenceCopy && !(loraRank > 0 && stage == Stage.PPO), critic, rewardModels,
                Math.min(miniBatch, batchSize), loraRank > 0 ? baseBytes : bytesPerValue, criticLoraRank,
                criticLoraTargets);
    }

    private static List<String> targets(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (node.isTextual()) {
            String text = node.asText().trim();
            if (text.equals("all-linear") || text.equals("all_linear")) {
                return ALL_PROJECTIONS;
            }
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out.isEmpty() ? DEFAULT_LORA_TARGETS : List.copyOf(out);
    }

    private static int integer(JsonNode node, String key, int fallback) {
        JsonNode v = node.path(key);
        return v.isNumber() || (v.isTextual() && v.asText().matches("-?\\d+")) ? v.asInt() : fallback;
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node.path(key);
        return v.isValueNode() && !v.isNull() ? v.asText() : fallback;
    }
}
