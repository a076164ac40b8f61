package org.rlhf4j.core.config;

/** A config file or override that cannot be used; the message names the file or flag and the key. */
public final class ConfigException extends UserException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
