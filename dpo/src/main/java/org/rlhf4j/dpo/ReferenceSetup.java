package org.rlhf4j.dpo;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the reference of a DPO or KTO run from its config: none for the reference-free losses,
 * the policy with its LoRA adapters off, the frozen model, or the precomputed table (each "pair" of a KTO run is a completion and its
 * mismatched completion, {@link KtoExample}).
 */
final class ReferenceSetup {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceSetup.class);

    private ReferenceSetup() {}

    /**
     * The reference of a run over {@code all} (train rows, then eval rows): the frozen model, or
     * the precomputed table, read from {@link ReferenceCache#FILE_NAME} when its key matches and
     * computed (then the model released) otherwise.
     */
    static Reference open(DpoConfig config, TrainingRun run, List<DpoPair> all) throws IOException {
        if (!config.dpo().needsReference()) {
            run.note("reference", "none: loss_type " + config.dpo().lossType() + " is reference-free");
            return Reference.NONE;
        }
        if (config.dpo().adaptersOff()) {
            run.note("reference", "the policy with its LoRA adapters off");
            return new AdaptersOffReference(run.model());
        }
        Path referenceDir = config.referencePath();
        Device device = run.device();
        if (!config.dpo().precomputed()) {
            run.note("reference", "frozen model " + referenceDir);
            return new FrozenReference(PretrainedModel.load(referenceDir, device, config.computeType()));
        }
        Path file = config.outputPath().resolve(ReferenceCache.FILE_NAME);
        String key = ReferenceCache.key(referenceDir, config.dtype(), all);
        var cached = ReferenceCache.read(file, key);
        if (cached.isPresent()) {
            run.note("reference", DpoTrainer.CACHE_REUSED);
            LOG.info("reference log-probs of {} rows read from {}", all.size(), file);
            return new CachedReference(cached.get());
        }
        long started = System.nanoTime();
        ReferenceLogps table;
        try (FrozenReference model = new FrozenReference(
                PretrainedModel.load(referenceDir, device, config.computeType()))) { // released after the pass
            table = model.table(all, config.train().batchSize());
        }
        ReferenceCache.write(file, key, referenceDir, table);
        run.note("reference", DpoTrainer.CACHE_WRITTEN);
        LOG.info(String.format("reference log-probs of %d rows computed in %.1f s, cached in %s", all.size(),
                (System.nanoTime() - started) / 1e9, file));
        return new CachedReference(table);
    }
}
