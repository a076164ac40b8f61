package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.runtime.Diagnostics;
import picocli.CommandLine.Command;

/** {@code rlhf4j doctor}: what this installation runs on. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Print the engine, the libtorch in use (folder, version, binding), CUDA/cuDNN, devices "
                + "and memory, and whether the fused kernels are active.",
        footer = {"", "Examples:", "  rlhf4j doctor", "  RLHF4J_LIBTORCH=javacpp rlhf4j doctor"})
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Diagnostics.collect().lines().forEach(System.out::println);
        return 0;
    }
}
