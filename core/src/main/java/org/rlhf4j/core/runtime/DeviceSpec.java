package org.rlhf4j.core.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.rlhf4j.core.config.UserException;

/**
 * A device as written in configs: {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}.
 * {@code auto} takes the first GPU when the loaded libtorch sees one, else the CPU.
 */
public record DeviceSpec(String text) {

    public DeviceSpec {
        text = text == null ? "auto" : text.trim().toLowerCase();
        if (!(text.equals("auto") || text.equals("cpu") || text.equals("gpu") || text.matches("gpu:\\d+"))) {
            throw new UserException("device: '" + text + "' is not valid; expected auto, cpu, gpu or gpu:N");
        }
    }

    /** Resolves to a DJL device; asking for a GPU that is not there is an error, not a silent CPU run. */
    public Device resolve() {
        int gpus = Engine.getInstance().getGpuCount();
        if (text.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (text.equals("cpu")) {
            return Device.cpu();
        }
        int index = text.equals("gpu") ? 0 : Integer.parseInt(text.substring(4));
        if (index >= gpus) {
            throw new UserException("device: " + text + " requested but libtorch sees " + gpus
                    + " GPU(s); see the README's GPU section (the CPU native jar must be left out with -P gpu)");
        }
        return Device.gpu(index);
    }
}
