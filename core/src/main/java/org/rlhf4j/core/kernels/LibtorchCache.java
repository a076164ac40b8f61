package org.rlhf4j.core.kernels;

import java.io.File;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;

/**
 * Extracts JavaCPP's native jars (javacpp, OpenBLAS, PyTorch) into JavaCPP's cache without loading
 * them; run by the {@code javacpp} Maven profile at build time.
 *
 * <p>Why at build time and without loading: a JVM that extracts the PyTorch jar and loads it in one
 * go crashed (SIGSEGV in {@code pthread_mutex_lock} while loading {@code libjnitorch.so}, 3 of 3
 * fresh caches on the development machine), while every run on an already-extracted cache loads
 * cleanly. DJL must also find libtorch in that folder before JavaCPP is first used.
 */
public final class LibtorchCache {

    private LibtorchCache() {}

    /** Prints each extracted folder; exits non-zero if a jar is missing from the class path. */
    public static void main(String[] args) throws IOException, ClassNotFoundException {
        String platform = Loader.getPlatform() + "/";
        ClassLoader loader = LibtorchCache.class.getClassLoader();
        // Class literals by name, initialised = false: initialising torch would load the libraries.
        String[] anchors = {"org.bytedeco.javacpp.Loader", "org.bytedeco.openblas.global.openblas_nolapack",
                "org.bytedeco.pytorch.global.torch"};
        for (String anchor : anchors) {
            Class<?> c = Class.forName(anchor, false, loader);
            File[] folders = Loader.cacheResources(c, platform);
            if (folders == null || folders.length == 0) {
                System.err.println("rlhf4j: no native jar for " + anchor + " on " + platform
                        + " on the class path (the javacpp profile brings them)");
                System.exit(1);
            }
            for (File folder : folders) {
                System.out.println(folder);
            }
        }
    }
}
