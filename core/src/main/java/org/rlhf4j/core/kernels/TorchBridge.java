package org.rlhf4j.core.kernels;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Where DJL arrays and JavaCPP tensors meet, and the only place that decides who frees what.
 *
 * <p>A DJL {@code PtNDArray}'s handle is the address of a heap {@code at::Tensor} that DJL deletes
 * when the array closes; a JavaCPP {@link Tensor} is a Java object over such an address, with a
 * deallocator when JavaCPP allocated it. Both name a reference-counted {@code TensorImpl}, so
 * handing a tensor across never copies data. The rules:
 * <ol>
 *   <li>{@link #borrow}: a JavaCPP view of a DJL array's own {@code at::Tensor}, with no deallocator.
 *       It is valid while the DJL array is open; closing or dropping it frees nothing.
 *   <li>{@link #adopt}: a JavaCPP result becomes a DJL array. A second heap {@code at::Tensor} (one
 *       more reference to the same storage) is made for DJL, detached from JavaCPP's deallocation, and
 *       the JavaCPP result is freed at once: afterwards DJL's manager holds the only reference.
 *   <li>No {@link PointerScope} may be open on the calling thread: a scope would take the adopted
 *       tensor and free it under DJL.
 * </ol>
 *
 * <p>The bridge is active only when this process runs JavaCPP's libtorch for DJL as well
 * ({@code RLHF4J_LIBTORCH=javacpp}, see {@code tools/libtorch.sh}): two different libtorch builds in
 * one JVM crash, so it refuses to load JavaCPP's libraries next to DJL's own libtorch.
 */
public final class TorchBridge {

    /** The environment variable (or system property) that selects the libtorch binding. */
    public static final String SWITCH = "RLHF4J_LIBTORCH";

    /** The libtorch version JavaCPP's presets in the class path were built on; DJL must run the same. */
    public static final String LIBTORCH_VERSION = "2.7.1";

    private static volatile Status status;

    private TorchBridge() {}

    /** Whether the fused kernels may run: DJL and JavaCPP share one libtorch in this process. */
    public static boolean active() {
        return status().active();
    }

    /**
     * The bridge's state: active, or why not. Loads DJL's engine (and, when active, JavaCPP's
     * libraries) on first call; thereafter cached.
     *
     * @throws IllegalStateException when {@code RLHF4J_LIBTORCH=javacpp} was asked for but DJL runs
     *     another libtorch: a silent fallback would hide a misconfigured launcher or build
     */
    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (TorchBridge.class) {
                s = status;
                if (s == null) {
                    s = probe(requested());
                    status = s;
                }
            }
        }
        return s;
    }

    /** The binding asked for: {@code djl} (the default), {@code javacpp} or {@code javacpp-gpu}. */
    public static String requested() {
        String value = System.getProperty(SWITCH, System.getenv(SWITCH));
        return value == null || value.isBlank() ? "djl" : value.trim();
    }

    private static Status probe(String requested) {
        if (!"javacpp".equals(requested) && !"javacpp-gpu".equals(requested)) {
            return new Status(false, "inactive (" + SWITCH + "=" + requested + ": DJL's own libtorch)");
        }
        Engine engine = Engine.getEngine("PyTorch"); // loads DJL's libtorch if nothing did yet
        Path djlDir = Path.of(LibUtils.getLibtorchPath());
        Path javacppDir = javacppFolder(requested.endsWith("-gpu") ? "-gpu" : "");
        if (!sameFolder(djlDir, javacppDir) || !engine.getVersion().equals(LIBTORCH_VERSION)) {
            throw new IllegalStateException(SWITCH + "=javacpp, but DJL loaded libtorch " + engine.getVersion()
                    + " from " + djlDir + " instead of JavaCPP's " + LIBTORCH_VERSION + " in " + javacppDir
                    + ". Build with `mvn -P javacpp` and start through ./rlhf4j or bench/run, which set"
                    + " PYTORCH_LIBRARY_PATH (tools/libtorch.sh); two libtorch builds in one JVM crash.");
        }
        Loader.load(org.bytedeco.pytorch.global.torch.class); // the same files: no second libtorch
        return new Status(true, "active (JavaCPP's libtorch " + LIBTORCH_VERSION + " in " + djlDir + ")");
    }

    /** Where JavaCPP extracts its libtorch ({@code extension} "-gpu" for the CUDA build). */
    private static Path javacppFolder(String extension) {
        String platform = Loader.getPlatform() + extension;
        try {
            return Loader.getCacheDir().toPath().resolve("pytorch-" + LIBTORCH_VERSION + "-" + Loader.getVersion()
                    + "-" + platform + ".jar/org/bytedeco/pytorch/" + platform);
        } catch (IOException e) {
            throw new IllegalStateException(SWITCH + ": JavaCPP's cache is unreadable: " + e, e);
        }
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return Files.isDirectory(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A JavaCPP view of {@code array}'s own {@code at::Tensor} (rule 1): no copy, no deallocator.
     * Use it only while {@code array} is open, as an argument to a JavaCPP call.
     */
    public static Tensor borrow(NDArray array) {
        long handle = pytorch(array).getHandle();
        return new Tensor(new Pointer() {
            {
                address = handle; // Pointer's protected field: a cast, nothing allocated
            }
        });
    }

    /**
     * Hands JavaCPP's {@code result} to DJL as an array of {@code manager} (rule 2) and frees the
     * JavaCPP object; the returned array shares the result's storage and autograd history.
     */
    public static NDArray adopt(Tensor result, NDManager manager) {
        if (PointerScope.getInnerScope() != null) {
            throw new IllegalStateException("TorchBridge.adopt inside a JavaCPP PointerScope (rule 3)");
        }
        if (!(manager instanceof PtNDManager pt)) {
            throw new IllegalArgumentException("the fused kernels need a PyTorch manager, got "
                    + manager.getClass().getName());
        }
        Tensor forDjl = new Tensor(result); // new heap at::Tensor: one more reference to the same TensorImpl
        long handle = forDjl.address();
        forDjl.deallocate(false); // JavaCPP forgets it; DJL deletes it when the array closes
        result.close();           // JavaCPP's own reference, freed now rather than by the GC
        return new PtNDArray(pt, handle);
    }

    private static PtNDArray pytorch(NDArray array) {
        if (array instanceof PtNDArray pt) {
            return pt;
        }
        throw new IllegalArgumentException("the fused kernels need PyTorch engine arrays, got "
                + array.getClass().getName());
    }

    /**
     * The bridge's state.
     *
     * @param active whether the fused kernels run
     * @param description one line for {@code rlhf4j doctor}
     */
    public record Status(boolean active, String description) {}
}
