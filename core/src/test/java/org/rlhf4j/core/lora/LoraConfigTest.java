package org.rlhf4j.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;

class LoraConfigTest {

    private static LoraConfig bind(String json) throws Exception {
        return ConfigLoader.bind(new ObjectMapper().readTree(json), LoraConfig.class, "test.yaml");
    }

    @Test
    void allLinearIsPeftsWordForEverySevenProjections() throws Exception {
        // what `rlhf4j plan` suggests, as a plain string and as a one-item list
        assertEquals(LoraConfig.KNOWN_TARGETS, bind("{\"r\": 16, \"target_modules\": \"all-linear\"}").targetModules());
        assertEquals(LoraConfig.KNOWN_TARGETS, bind("{\"target_modules\": [\"all-linear\"]}").targetModules());
        assertEquals(List.of("q_proj"), bind("{\"target_modules\": \"q_proj\"}").targetModules());
        assertEquals(List.of("q_proj", "v_proj"), bind("{}").targetModules(), "the default");
    }

    @Test
    void allLinearDoesNotMixWithNames() {
        Exception e = assertThrows(Exception.class, () -> bind("{\"target_modules\": [\"all-linear\", \"q_proj\"]}"));
        Throwable cause = e instanceof ConfigException ? e : e.getCause();
        assertTrue(String.valueOf(cause.getMessage()).contains("unknown module 'all-linear'"), e.toString());
    }
}
