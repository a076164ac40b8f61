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

    /** Prints each extracted folder; exits non-zero if JavaCPP's libtorch is not on the class path. */
    public static void main(String[] args) throws IOException {
        String platform = Loader.getPlatform();
        boolean torch = false;
        extract("org.bytedeco.javacpp.Loader", platform);
        extract("org.bytedeco.openblas.global.openblas_nolapack", platform);
        extract("org.bytedeco.cuda.global.cudart", platform); // -P gpu: CUDA's JNI and the redistributable
        torch |= extract("org.bytedeco.pytorch.global.torch", platform);
        torch |= extract("org.bytedeco.pytorch.global.torch", platform + "-gpu");
        if (!torch) {
            System.err.println("rlhf4j: no JavaCPP libtorch for " + platform
                    + " on the class path (the javacpp and gpu profiles bring it)");
            System.exit(1);
        }
    }

    /** Extracts the {@code folder} resources next to {@code anchor}; false when there are none. */
    private static boolean extract(String anchor, String folder) throws IOException {
        Class<?> c;
        try {
            // initialize = false: initialising torch or cudart would load the libraries
            c = Class.forName(anchor, false, LibtorchCache.class.getClassLoader());
        } catch (ClassNotFoundException absent) {
            return false;
        }
        File[] folders = Loader.cacheResources(c, folder + "/");
        if (folders == null || folders.length == 0) {
            return false;
        }
        for (File f : folders) {
            System.out.println(f);
        }
        return true;
    }
}
