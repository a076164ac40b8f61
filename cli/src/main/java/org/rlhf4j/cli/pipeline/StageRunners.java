package org.rlhf4j.cli.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/** The stage kinds a pipeline knows, by {@code kind:} name. */
public final class StageRunners {

    private final Map<String, StageRunner> byKind = new LinkedHashMap<>();

    /** data, init, pretrain, sft, rm, ppo, dpo, rs and eval. */
    public static StageRunners defaults() {
        return new StageRunners()
                .add(new DataStage())
                .add(new InitStage())
                .add(new TrainingStage.Pretrain())
                .add(new TrainingStage.Sft())
                .add(new RmStage())
                .add(new PpoStage())
                .add(new DpoStage())
                .add(new RsStage())
                .add(new EvalStage());
    }

    /** Adds (or replaces) the runner of {@code runner.kind()}. */
    public StageRunners add(StageRunner runner) {
        byKind.put(runner.kind(), runner);
        return this;
    }

    /** The runner of {@code kind}, or null. */
    public StageRunner get(String kind) {
        return byKind.get(kind);
    }

    /** The known kinds, in registration order. */
    public java.util.Set<String> kinds() {
        return byKind.keySet();
    }
}
