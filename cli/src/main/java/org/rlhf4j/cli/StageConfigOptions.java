package org.rlhf4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --config FILE [--set key=value]...}, shared by every training stage through {@code @Mixin}. */
final class StageConfigOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The stage's YAML config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config key before validation, e.g. train.max_steps=50 (repeatable).")
    List<String> overrides = new ArrayList<>();
}
