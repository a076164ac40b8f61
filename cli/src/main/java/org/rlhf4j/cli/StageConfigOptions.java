package org.rlhf4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE [--set key=value]... [--force-resume]}, shared by every training stage
 * through {@code @Mixin}.
 */
final class StageConfigOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The stage's YAML config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config key before validation, e.g. train.max_steps=50 (repeatable).")
    List<String> overrides = new ArrayList<>();

    /** {@code --force-resume} is {@code --set train.force_resume=true}, so the resolved config records it. */
    @Option(names = "--force-resume",
            description = "Resume although the config, data or starting model differ from what the newest "
                    + "checkpoint recorded (the differences are printed); same as --set train.force_resume=true.")
    void forceResume(boolean on) {
        if (on) {
            overrides.add("train.force_resume=true");
        }
    }
}
