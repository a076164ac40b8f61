package org.rlhf4j.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The rlhf4j version written into every exported {@code config.json} as {@code rlhf4j_version}
 * (beside transformers' own {@code transformers_version}), from a resource Maven fills in at build
 * time; {@code dev} when run from unfiltered classes.
 */
public final class Rlhf4jVersion {

    private static final String VERSION = read();

    private Rlhf4jVersion() {}

    /** {@code 0.1.0-SNAPSHOT}, or {@code dev}. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Rlhf4jVersion.class.getResourceAsStream("/org/rlhf4j/core/rlhf4j-version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
