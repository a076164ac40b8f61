package org.rlhf4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.dpo.DpoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rlhf4j simpo}, {@code orpo} and {@code kto}: the {@code dpo} stage with that
 * {@code dpo.loss_type}, as {@code rlhf4j grpo} is the ppo stage with GRPO's advantage. TRL ships
 * them as separate trainers; here they share the stage, its keys and its outputs.
 */
final class OfflinePreferenceCommands {

    private OfflinePreferenceCommands() {}

    /** {@code tree} with {@code dpo.loss_type: lossType} where it names none; another loss type is refused. */
    static ObjectNode withLossType(ObjectNode tree, String lossType) {
        JsonNode dpo = tree.get("dpo");
        JsonNode named = dpo != null && dpo.isObject() ? dpo.get("loss_type") : null;
        if (named == null || named.isNull()) {
            ConfigLoader.applyOverride(tree, "dpo.loss_type=" + lossType);
        } else if (!named.isTextual() || !named.asText().equals(lossType)) {
            throw new ConfigException("dpo.loss_type: " + named.asText() + " in a config run with `rlhf4j " + lossType
                    + "`; run it with `rlhf4j dpo`, or set dpo.loss_type to " + lossType + " or leave it out");
        }
        return tree;
    }

    private static int run(StageConfigOptions options, String lossType) throws Exception {
        ObjectNode tree = withLossType(ConfigLoader.readTree(options.config, options.overrides), lossType);
        return DpoCommand.run(ConfigLoader.bind(tree, DpoConfig.class, options.config.toString()));
    }

    @Command(name = "simpo", mixinStandardHelpOptions = true,
            description = "SimPO on preference pairs: the dpo stage with dpo.loss_type: simpo (reference-free, length-"
                    + "normalised, target margin dpo.simpo_gamma; beta 2.0 unless set). No reference model is loaded."
                    + " Every dpo: key applies. Resumes from the newest checkpoint in output_dir.",
            footer = {"", "Examples:",
                "  rlhf4j simpo --config configs/demo/simpo.yaml",
                "  rlhf4j simpo --config configs/demo/simpo.yaml --set dpo.beta=2.5 --set dpo.simpo_gamma=1.4"})
    static final class Simpo implements Callable<Integer> {
        @Mixin
        StageConfigOptions options;

        @Override
        public Integer call() throws Exception {
            return run(options, "simpo");
        }
    }

    @Command(name = "orpo", mixinStandardHelpOptions = true,
            description = "ORPO on preference pairs: the dpo stage with dpo.loss_type: orpo (the chosen answer's NLL"
                    + " plus beta times the odds-ratio term; reference-free). No reference model is loaded. Every dpo:"
                    + " key applies. Resumes from the newest checkpoint in output_dir.",
            footer = {"", "Example:", "  rlhf4j orpo --config configs/demo/orpo.yaml"})
    static final class Orpo implements Callable<Integer> {
        @Mixin
        StageConfigOptions options;

        @Override
        public Integer call() throws Exception {
            return run(options, "orpo");
        }
    }

    @Command(name = "kto", mixinStandardHelpOptions = true,
            description = "KTO on unpaired labelled completions ({\"prompt\", \"completion\", \"label\": true|false};"
                    + " preference pairs are unpaired): the dpo stage with dpo.loss_type: kto, against a frozen reference."
                    + " Every dpo: key applies. Resumes from the newest checkpoint in output_dir.",
            footer = {"", "Examples:",
                "  rlhf4j kto --config configs/demo/kto.yaml",
                "  rlhf4j kto --config configs/demo/kto.yaml --set dpo.undesirable_weight=1.33"})
    static final class Kto implements Callable<Integer> {
        @Mixin
        StageConfigOptions options;

        @Override
        public Integer call() throws Exception {
            return run(options, "kto");
        }
    }
}
