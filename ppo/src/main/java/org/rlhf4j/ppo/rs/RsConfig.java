package org.rlhf4j.ppo.rs;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.ppo.RewardsConfig;

/**
 * The config of {@code rlhf4j rs}: rejection sampling (best-of-N) of a policy's responses by the
 * PPO stage's reward sources.
 *
 * @param model the policy that samples (a causal LM directory; required)
 * @param outputDir where {@code final/sft.jsonl}, {@code samples.jsonl} and {@code summary.json}
 *     go (required)
 * @param seed sampling seed (default 0): prompt {@code p}'s sample {@code k} draws from the
 *     generator of row {@code p * num_samples + k}
 * @param device {@code auto} (default), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype compute dtype, float32 (default) or float16
 * @param data the prompt file ({@code train}, {@code on_bad_record}, {@code chat_template})
 * @param rs sampling and selection options (defaults when absent)
 * @param rewards the reward sources, exactly the {@code rlhf4j ppo} schema (required)
 */
public record RsConfig(
        String model,
        String outputDir,
        Long seed,
        String device,
        String dtype,
        DataConfig data,
        RsOptions rs,
        RewardsConfig rewards) {

    public RsConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model: the policy directory to sample from is required");
        }
        if (outputDir == null || outputDir.isBlank()) {
            throw new ConfigException("output_dir is required");
        }
        if (data == null) {
            throw new ConfigException("data: the section with data.train (a prompt file) is required");
        }
        if (rewards == null) {
            throw new ConfigException("rewards: the section with rewards.sources is required");
        }
        seed = seed == null ? 0L : seed;
        device = new DeviceSpec(device).text();
        dtype = dtype == null ? "float32" : dtype.trim().toLowerCase();
        if (!dtype.equals("float32") && !dtype.equals("float16")) {
            throw new ConfigException("dtype must be float32 or float16, got '" + dtype + "'");
        }
        rs = rs == null ? RsOptions.defaults() : rs;
    }

    public Path modelPath() {
        return Path.of(model);
    }

    public Path outputPath() {
        return Path.of(outputDir);
    }

    public DataType computeType() {
        return dtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
