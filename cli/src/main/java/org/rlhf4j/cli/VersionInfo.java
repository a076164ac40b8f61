package org.rlhf4j.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the toolkit's version and the pinned DJL/PyTorch versions. */
final class VersionInfo implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
            "rlhf4j " + (version == null ? org.rlhf4j.core.io.Rlhf4jVersion.get() : version),
            "DJL " + ai.djl.engine.Engine.getDjlVersion() + ", PyTorch engine (libtorch 2.7.1), Java "
                    + System.getProperty("java.version"),
            org.rlhf4j.core.runtime.NumericMode.current().describe(),
        };
    }
}
