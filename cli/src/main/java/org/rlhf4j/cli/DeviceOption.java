package org.rlhf4j.cli;

import ai.djl.Device;
import org.rlhf4j.core.runtime.DeviceSpec;
import picocli.CommandLine.Option;

/** The {@code --device} flag shared by every command that runs a model. */
final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEV",
            description = "auto | cpu | gpu | gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    Device resolve() {
        return new DeviceSpec(device).resolve();
    }
}
