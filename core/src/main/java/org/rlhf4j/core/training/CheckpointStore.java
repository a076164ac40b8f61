package org.rlhf4j.core.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.SafetensorsWriter;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.model.NonFiniteTensors;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.pretrained.PretrainedModel;

/**
 * The checkpoints of a run, {@code OUTPUT_DIR/checkpoints/step-NNNNNN/}: writing them atomically,
 * finding the newest complete one for a resume, reading it back, and pruning old ones.
 *
 * <p>A checkpoint is a Hugging Face model directory (so {@code --model} accepts it) plus
 * {@code optimizer.safetensors} (AdamW state, always float32), {@link TrainerState#FILE_NAME}, and,
 * when the model is saved in a narrower dtype than it trains in, {@code resume_weights.safetensors}
 * with the exact float32 weights (bf16 weights alone cannot resume bit for bit). Everything is
 * written into a hidden staging directory that is renamed to {@code step-NNNNNN} only when
 * complete, so a directory under that name is complete by construction; with LoRA the model files
 * are a PEFT adapter directory instead (the float32 adapters, exact by themselves); {@link #latest} also
 * requires the state, optimizer and config files, so a directory assembled by hand or by an older
 * tool without them is ignored rather than half-loaded.
 */
public final class CheckpointStore {

    /** Sub-directory of the output directory that holds the checkpoints. */
    public static final String DIRECTORY = "checkpoints";
    /** AdamW state file inside a checkpoint. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    /** Exact float32 weights, present when the model files are narrower than the training dtype. */
    public static final String RESUME_WEIGHTS_FILE = "resume_weights.safetensors";

    private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");

    private final Path root;
    private final SaveDtype modelDtype;
    private final Integer totalLimit;
    private Path kept; // never pruned: the last checkpoint before non-finite steps began

    /**
     * @param outputDir the run's output directory; checkpoints go to its {@code checkpoints/}
     * @param modelDtype dtype of the model files ({@code save_dtype})
     * @param totalLimit keep only this many newest checkpoints, or null for all
     */
    public CheckpointStore(Path outputDir, SaveDtype modelDtype, Integer totalLimit) {
        this.root = outputDir.resolve(DIRECTORY);
        this.modelDtype = modelDtype;
        this.totalLimit = totalLimit;
    }

    /**
     * Exempts {@code checkpoint} from pruning (the last one with weights from before a run of
     * non-finite steps), or, with null, ends the exemption.
     */
    public void keep(Path checkpoint) {
        this.kept = checkpoint;
    }

    /** The directory name of the checkpoint after {@code step} optimizer steps. */
    public static String name(int step) {
        return String.format("step-%06d", step);
    }

    /** The directory a checkpoint of {@code step} has (or would have). */
    public Path path(int step) {
        return root.resolve(name(step));
    }

    /**
     * Writes the checkpoint of {@code state.step()} (replacing one of the same step) and prunes
     * old ones down to the limit. The weights and optimizer moments are only read.
     */
    public Path save(PretrainedModel model, AdamW optimizer, TrainerState state) throws IOException {
        return save(model, optimizer, state, null);
    }

    /**
     * {@link #save(PretrainedModel, AdamW, TrainerState)} with further files of the stage (PPO:
     * the critic and its optimizer, the KL controller) written by {@code extraFiles} into the
     * staging directory, so that they become visible atomically with the rest of the checkpoint.
     */
    public Path save(PretrainedModel model, AdamW optimizer, TrainerState state, IoConsumer<Path> extraFiles)
            throws IOException {
        Path dir = path(state.step());
        try {
            saveModelAndOptimizer(dir, model, optimizer, modelDtype, staged -> {
                if (extraFiles != null) {
                    extraFiles.accept(staged);
                }
                // Written last, though the rename of the whole directory is what makes it visible.
                Files.writeString(staged.resolve(TrainerState.FILE_NAME), state.toJson());
            });
        } catch (IOException e) {
            throw notWritten(dir, "the checkpoint", e);
        }
        prune();
        return dir;
    }

    /**
     * An error for a save into {@code dir} that failed with {@code e}, naming the directory (a full
     * disk reports only "No space left on device") and saying what survived: the staging
     * directory is gone, and nothing written before, earlier checkpoints included, was touched.
     */
    static IOException notWritten(Path dir, String what, IOException e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        return new IOException(dir + ": " + what + " was not written (" + reason + "); nothing already written"
                + " was changed: free space (or fix the cause) and rerun the same command to resume from the newest"
                + " checkpoint", e);
    }

    /**
     * Writes {@code model} as a Hugging Face directory at {@code dir} with its tokenizer,
     * {@link #OPTIMIZER_FILE} and, when {@code modelDtype} is narrower than the weights,
     * {@link #RESUME_WEIGHTS_FILE}; {@link #loadModel} and {@link #loadOptimizer} read it back. The
     * directory appears only when complete, and never with non-finite weights. A stage with a second trained model (PPO's critic)
     * writes it with this into a sub-directory of its checkpoint.
     */
    public static void saveModelAndOptimizer(Path dir, PretrainedModel model, AdamW optimizer, SaveDtype modelDtype,
            IoConsumer<Path> extraFiles) throws IOException {
        Map<String, NDArray> weights = model.adapters() != null ? model.adapters().parameters() : model.weights();
        Optional<String> nonFinite = NonFiniteTensors.first(weights);
        if (nonFinite.isPresent()) {
            throw new TrainingDivergedException(dir + " not written: weight '" + nonFinite.get()
                    + "' is not finite (NaN or infinite); the training diverged");
        }
        if (model.adapters() != null) { // the adapters only, float32 (exact), in PEFT's layout
            PeftAdapterFiles.save(dir, model.adapters(), model.baseModel(), model.model().hasScoreHead(), staged -> {
                model.tokenizer().save(staged);
                writeOptimizer(staged, model, optimizer);
                if (extraFiles != null) {
                    extraFiles.accept(staged);
                }
            });
            return;
        }
        boolean exactCopyNeeded = modelDtype != SaveDtype.FLOAT32
                && !(modelDtype == SaveDtype.FLOAT16 && model.model().weights().dataType() == DataType.FLOAT16);
        ModelDirectory.save(dir, model.config(), weights, modelDtype, model.generation(), staged -> {
            model.tokenizer().save(staged);
            writeOptimizer(staged, model, optimizer);
            if (exactCopyNeeded) {
                SafetensorsWriter.write(staged.resolve(RESUME_WEIGHTS_FILE), weights, SaveDtype.FLOAT32);
            }
            if (extraFiles != null) {
                extraFiles.accept(staged);
            }
        });
    }

    private static void writeOptimizer(Path staged, PretrainedModel model, AdamW optimizer) throws IOException {
        try (NDManager scope = model.manager().newSubManager()) {
            SafetensorsWriter.write(staged.resolve(OPTIMIZER_FILE), optimizer.exportState(scope), SaveDtype.FLOAT32);
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> complete() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(CheckpointStore::isComplete).forEach(found::add);
        }
        found.sort(Comparator.comparingInt(CheckpointStore::stepOf));
        return found;
    }

    /** Whether {@code dir} is a checkpoint directory under its final name with every file resume needs. */
    public static boolean isComplete(Path dir) {
        return NAME.matcher(dir.getFileName().toString()).matches()
                && Files.isDirectory(dir)
                && Files.isRegularFile(dir.resolve(TrainerState.FILE_NAME))
                && Files.isRegularFile(dir.resolve(OPTIMIZER_FILE))
                && (Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE))
                        || Files.isRegularFile(dir.resolve(PeftAdapterFiles.CONFIG_FILE)));
    }

    /** The step a checkpoint directory name encodes. */
    public static int stepOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(dir + " is not a checkpoint directory (step-NNNNNN)");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Reads a checkpoint's trainer state. */
    public static TrainerState readState(Path checkpoint) throws IOException {
        return TrainerState.read(checkpoint.resolve(TrainerState.FILE_NAME));
    }

    /**
     * Loads a checkpoint's model with its tokenizer onto {@code device} in {@code dtype}, with the
     * exact weights of {@link #RESUME_WEIGHTS_FILE} when the checkpoint has them.
     */
    public static PretrainedModel loadModel(Path checkpoint, Device device, DataType dtype) throws IOException {
        PretrainedModel model = PretrainedModel.load(checkpoint, device, dtype);
        Path exact = checkpoint.resolve(RESUME_WEIGHTS_FILE);
        if (Files.isRegularFile(exact)) {
            try (NDManager scope = model.manager().newSubManager()) {
                Map<String, NDArray> saved = SafetensorsReader.read(exact, scope, dtype);
                for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                    NDArray source = saved.get(e.getKey());
                    if (source == null) {
                        model.close();
                        throw new IOException(exact + ": no tensor '" + e.getKey() + "'");
                    }
                    e.getValue().set(source.toByteBuffer());
                }
            }
        }
        return model;
    }

    /** Loads a run's starting model (a base model, or one given a new head) when there is no checkpoint. */
    @FunctionalInterface
    public interface StartingModel {
        PretrainedModel load() throws IOException;
    }

    /**
     * The model a run trains: {@code checkpoint}'s (see {@link #loadModel}) when resuming, else the
     * one {@code start} loads.
     *
     * @param checkpoint the checkpoint to resume from, null for a fresh run
     */
    public static PretrainedModel restoreOrLoad(Path checkpoint, Device device, DataType dtype, StartingModel start)
            throws IOException {
        return checkpoint != null ? loadModel(checkpoint, device, dtype) : start.load();
    }

    /** Loads a checkpoint's AdamW state into {@code optimizer} (whose parameters must match). */
    public static void loadOptimizer(Path checkpoint, AdamW optimizer, NDManager manager) throws IOException {
        Path file = checkpoint.resolve(OPTIMIZER_FILE);
        try (NDManager scope = manager.newSubManager()) {
            LinkedHashMap<String, NDArray> saved = SafetensorsReader.read(file, scope, DataType.FLOAT32);
            try {
                optimizer.loadState(saved);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Deletes what interrupted saves left in the output directory and its {@code checkpoints/}:
     * staging directories ({@code .step-NNNNNN.tmp-*}, {@code .final.tmp-*}), each nearly a full
     * checkpoint. Only safe while the run holds the {@link RunLock}, as no save is under way then.
     */
    public void removeLeftovers() throws IOException {
        AtomicFiles.removeLeftovers(root.getParent());
        AtomicFiles.removeLeftovers(root);
    }

    /**
     * Deletes the oldest complete checkpoints beyond the limit, and nothing when there is none;
     * the {@link #keep kept} one stays, beyond the limit if need be.
     */
    private void prune() throws IOException {
        if (totalLimit == null) {
            return;
        }
        AtomicFiles.removeLeftovers(root);
        List<Path> all = new ArrayList<>(complete());
        all.removeIf(dir -> dir.equals(kept));
        int limit = kept != null && Files.isDirectory(kept) ? totalLimit - 1 : totalLimit;
        for (int i = 0; i < all.size() - Math.max(1, limit); i++) {
            AtomicFiles.deleteRecursively(all.get(i));
        }
    }
}
