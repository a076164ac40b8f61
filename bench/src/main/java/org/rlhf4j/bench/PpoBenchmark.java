package org.rlhf4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.ppo.PpoConfig;
import org.rlhf4j.ppo.PpoTrainer;

/**
 * PPO iteration time on the benchmark config (D=256, L=4, H=8, KV=4, F=768, V=1024, random
 * weights): an actor, a critic, a reference and one reward model of that shape plus a rule, split
 * into generation, scoring (reference, critic, rewards) and training, and the peak resident memory.
 *
 * <p>{@code ./bench/run ppo [--iterations 4] [--batch 16] [--new-tokens 64] [--epochs 4] [--mini-batch 8]
 * [--critic full|lora|lora-rm] [--lora-r 16] [--hidden 256 --layers 4 --intermediate 768]}.
 * The first iteration is a warm-up and not counted. Random weights rarely emit EOS, so responses
 * run to {@code --new-tokens}.
 *
 * <p>{@code --critic full} trains a LoRA policy
 * (r {@code --lora-r} on every projection, reference = adapters off) with a full critic loaded from the
 * policy's directory; {@code lora} the same policy with the critic as LoRA adapters (same r) and a value
 * head on the policy's base ({@code ppo.critic_base: policy}); {@code lora-rm} on the reward model's
 * base. Run each in its own JVM to compare their peak resident memory. Without {@code --critic} the
 * policy is fully fine-tuned and the critic is a full model (the original benchmark).
 */
public final class PpoBenchmark {

    private static final String SHAPE = "\"hidden_size\":256,\"intermediate_size\":768,\"num_hidden_layers\":4,"
            + "\"num_attention_heads\":8,\"num_key_value_heads\":4,\"vocab_size\":1024,\"rms_norm_eps\":1e-5,"
            + "\"max_position_embeddings\":2048,\"tie_word_embeddings\":false";

    private PpoBenchmark() {}

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        int iterations = 4;
        int batch = 16;
        int newTokens = 64;
        int epochs = 4;
        int mini = 8;
        String critic = null; // the original benchmark: full policy, full critic
        int loraR = 16;
        int hidden = 256;
        int layers = 4;
        int intermediate = 768;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--new-tokens" -> newTokens = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--mini-batch" -> mini = Integer.parseInt(args[++i]);
                case "--critic" -> critic = args[++i];
                case "--lora-r" -> loraR = Integer.parseInt(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--intermediate" -> intermediate = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (critic != null && !List.of("full", "lora", "lora-rm").contains(critic)) {
            throw new IllegalArgumentException("--critic must be full, lora or lora-rm, got " + critic);
        }
        String shape = SHAPE.replace("\"hidden_size\":256", "\"hidden_size\":" + hidden)
                .replace("\"intermediate_size\":768", "\"intermediate_size\":" + intermediate)
                .replace("\"num_hidden_layers\":4", "\"num_hidden_layers\":" + layers);
        String lora = "{r: " + loraR + ", alpha: " + 2 * loraR + ", target_modules: [q_proj, k_proj, v_proj, o_proj,"
                + " gate_proj, up_proj, down_proj]}";
        String criticKeys = critic == null ? "" : switch (critic) {
            case "full" -> ", critic_model: " + "POLICY_DIR";
            case "lora" -> ", critic_lora: " + lora + ", critic_base: policy";
            default -> ", critic_lora: " + lora + ", critic_base: reward_model";
        };
        Path dir = Files.createTempDirectory("rlhf4j-ppo-bench");
        try {
            ObjectMapper json = new ObjectMapper();
            Path policy = dir.resolve("policy");
            ModelInitializer.create(new InitConfig(0L, "byte", "float32", json.readTree(
                    "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\"," + shape + "}")), policy, "bench");
            Path rewardModel = dir.resolve("rm");
            ModelInitializer.create(new InitConfig(1L, "byte", "float32", json.readTree(
                    "{\"architectures\":[\"LlamaForSequenceClassification\"],\"model_type\":\"llama\",\"num_labels\":1,"
                            + shape + "}")), rewardModel, "bench");
            StringBuilder prompts = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                prompts.append("{\"prompt\": \"Write a short note about the number ").append(i).append(".\"}\n");
            }
            Path promptFile = dir.resolve("prompts.jsonl");
            Files.writeString(promptFile, prompts.toString());
            Path configFile = dir.resolve("ppo.yaml");
            Files.writeString(configFile, String.join("\n",
                    "model: " + policy,
                    "output_dir: " + dir.resolve("run"),
                    "device: cpu",
                    "data: {train: " + promptFile + "}",
                    "train: {max_steps: " + (iterations + 1) + ", batch_size: " + batch + ", lr: 1.0e-5,"
                            + " schedule: constant, log_every: 1, save_every: 0}",
                    "ppo: {max_new_tokens: " + newTokens + ", ppo_epochs: " + epochs + ", mini_batch_size: " + mini
                            + ", sample_every: 0" + criticKeys.replace("POLICY_DIR", policy.toString()) + "}",
                    critic == null ? "" : "lora: " + lora,
                    "rewards:",
                    "  sources:",
                    "    rm: {type: reward_model, path: " + rewardModel + "}",
                    "    brevity: {type: length_penalty, options: {per_token: 0.01}}",
                    ""));
            PpoConfig config = ConfigLoader.load(configFile, List.of(), PpoConfig.class);
            List<PpoTrainer.IterationTimings> timings = new ArrayList<>();
            double[] peak = {0};
            new PpoTrainer(config).observe((iteration, t, metrics) -> {
                timings.add(t);
                Object rss = metrics.get("memory/peak_rss_mb");
                peak[0] = rss == null ? 0 : ((Number) rss).doubleValue();
            }).run();
            System.out.printf("ppo benchmark: D=%d L=%d H=8 KV=4 F=%d V=1024; batch %d prompts, %d new tokens,"
                    + " %d epochs x minibatch %d; actor + critic + reference + 1 reward model + 1 rule; %d cores%n",
                    hidden, layers, intermediate, batch, newTokens, epochs, mini,
                    java.lang.Runtime.getRuntime().availableProcessors());
            System.out.println(critic == null ? "full policy, full critic, reference copy"
                    : "LoRA policy r " + loraR + " (reference = adapters off), critic: " + switch (critic) {
                        case "full" -> "a full model";
                        case "lora" -> "LoRA r " + loraR + " + value head on the policy's base";
                        default -> "LoRA r " + loraR + " + value head on the reward model's base";
                    });
            System.out.println("iter  total_s  generation  reference  critic  rewards  training  gen_frac  tokens");
            double[] sums = new double[6];
            for (int i = 0; i < timings.size(); i++) {
                PpoTrainer.IterationTimings t = timings.get(i);
                double[] row = {t.total() / 1e9, t.generation() / 1e9, t.reference() / 1e9, t.critic() / 1e9,
                    t.rewards() / 1e9, t.training() / 1e9};
                System.out.printf("%4d%s %7.2f  %10.2f  %9.2f  %6.2f  %7.2f  %8.2f  %8.2f  %6d%n", i + 1,
                        i == 0 ? "*" : " ", row[0], row[1], row[2], row[3], row[4], row[5], row[1] / row[0],
                        t.responseTokens());
                if (i > 0) {
                    for (int k = 0; k < sums.length; k++) {
                        sums[k] += row[k];
                    }
                }
            }
            int n = Math.max(1, timings.size() - 1);
            System.out.printf("mean  %7.2f  %10.2f  %9.2f  %6.2f  %7.2f  %8.2f  %8.2f   (* warm-up, not in the mean)%n",
                    sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n, sums[1] / sums[0]);
            System.out.printf("peak resident memory: %.0f MB%n", peak[0]);
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
    }
}
