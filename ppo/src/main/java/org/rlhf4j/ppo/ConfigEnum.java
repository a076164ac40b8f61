package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.rlhf4j.core.config.ConfigException;

/**
 * An enum that a config writes as its lower-case name ({@code ppo.reward_norm: running}). Jackson
 * binds it through the enum's {@code @JsonCreator fromName}, which calls {@link #parse}, and writes
 * it back with {@link #configName}, so the resolved config reads like the file.
 */
public interface ConfigEnum {

    /** The constant's name ({@link Enum#name}). */
    String name();

    /** The value as a config file writes it. */
    @JsonValue
    default String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} written {@code name}, or an error naming {@code key} and the allowed values. */
    static <E extends Enum<E> & ConfigEnum> E parse(Class<E> type, String key, String name) {
        E[] values = type.getEnumConstants();
        return Arrays.stream(values).filter(v -> v.configName().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException(key + " must be one of "
                        + Arrays.stream(values).map(ConfigEnum::configName).collect(Collectors.joining(", "))
                        + ", got '" + name + "'"));
    }
}
