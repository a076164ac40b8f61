package org.rlhf4j.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The numeric mode this process runs in: whether the instruction-set paths that decide float
 * rounding are pinned, so that one seed gives the same numbers on AVX2 and AVX-512 machines.
 *
 * <p>libtorch, MKL and oneDNN pick their kernels when they load, from the environment, so the
 * pins are environment variables that the launcher ({@code ./rlhf4j}), {@code bench/run} and the
 * test configuration set before the JVM starts (see {@code tools/numeric-mode.sh}); a running JVM
 * cannot set them for itself. This class only reports what is in force, for {@code --version} and
 * for every run's {@code provenance.json}.
 *
 * <p>Why these three and not {@code MKL_CBWR}: on the AMD EPYC (AVX-512) development machine
 * {@code MKL_CBWR=AVX2} is not honoured as a code path (MKL_VERBOSE reports {@code CNR:AUTO}) and
 * changes the results, while {@code MKL_ENABLE_INSTRUCTIONS=AVX2} leaves MKL on the AVX2 kernels an
 * AVX2 machine uses. Measured: with {@code ATEN_CPU_CAPABILITY=avx2} the AVX-512 machine reproduces
 * an AVX2 machine's figures exactly (README, "Reproducible numerics").
 */
public record NumericMode(boolean reproducible, Map<String, String> pins, String threads, CpuInfo cpu) {

    /** The variable that turns the mode off ({@code 0}); anything else, or unset, means on. */
    public static final String SWITCH = "RLHF4J_REPRODUCIBLE";

    /** The environment variables the mode sets, with the values it sets them to. */
    public static final Map<String, String> PINNED = pinned();

    private static Map<String, String> pinned() {
        Map<String, String> pins = new LinkedHashMap<>();
        pins.put("ATEN_CPU_CAPABILITY", "avx2");      // ATen's vectorised kernels (softmax, norms, reductions)
        pins.put("MKL_ENABLE_INSTRUCTIONS", "AVX2");  // MKL's GEMM kernels
        pins.put("ONEDNN_MAX_CPU_ISA", "AVX2");       // oneDNN primitives
        return Map.copyOf(pins);
    }

    /** What is in force in this process. */
    public static NumericMode current() {
        return of(System::getenv, System.getProperty("ai.djl.pytorch.num_threads"), CpuInfo.read());
    }

    /** The mode described by an environment (testable without a process). */
    static NumericMode of(Function<String, String> env, String threadsProperty, CpuInfo cpu) {
        Map<String, String> pins = new LinkedHashMap<>();
        boolean allPinned = true;
        for (Map.Entry<String, String> pin : PINNED.entrySet()) {
            String value = env.apply(pin.getKey());
            pins.put(pin.getKey(), value);
            allPinned &= pin.getValue().equalsIgnoreCase(value == null ? "" : value);
        }
        boolean switchedOff = "0".equals(env.apply(SWITCH));
        String threads = threadsProperty == null ? "libtorch default" : threadsProperty;
        // values may be null (unset), which Map.copyOf refuses
        return new NumericMode(allPinned && !switchedOff && threadsProperty != null,
                Collections.unmodifiableMap(pins), threads, cpu);
    }

    /** One line for {@code --version} and logs. */
    public String describe() {
        String how = reproducible
                ? "reproducible (AVX2 kernels, " + threads + " intra-op threads)"
                : "native (kernels chosen for this CPU, " + threads + " intra-op threads; set by ./rlhf4j unless "
                        + SWITCH + "=0)";
        return "numerics: " + how + "; CPU " + cpu.model() + (cpu.avx512() ? " (AVX-512)" : " (no AVX-512)");
    }

    /** For {@code provenance.json}: the mode, every pin as found, the thread count and the CPU. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("reproducible", reproducible);
        pins.forEach((k, v) -> map.put(k, v == null ? "unset" : v));
        map.put("intra_op_threads", threads);
        map.put("cpu", cpu.model());
        map.put("cpu_avx512", cpu.avx512());
        return map;
    }

    /** The processor's name and whether it has AVX-512, from {@code /proc/cpuinfo} where there is one. */
    public record CpuInfo(String model, boolean avx512) {

        static CpuInfo read() {
            Path file = Path.of("/proc/cpuinfo");
            if (!Files.isReadable(file)) {
                return new CpuInfo(System.getProperty("os.arch"), false);
            }
            try (Stream<String> lines = Files.lines(file)) {
                return parse(lines.limit(64).toList());
            } catch (IOException | RuntimeException e) {
                return new CpuInfo(System.getProperty("os.arch"), false);
            }
        }

        static CpuInfo parse(Iterable<String> cpuinfo) {
            String model = null;
            boolean avx512 = false;
            for (String line : cpuinfo) {
                Optional<String> value = field(line, "model name");
                if (value.isPresent() && model == null) {
                    model = value.get();
                }
                Optional<String> flags = field(line, "flags");
                if (flags.isPresent()) {
                    avx512 |= (" " + flags.get() + " ").contains(" avx512f ");
                }
            }
            return new CpuInfo(model == null ? "unknown" : model, avx512);
        }

        private static Optional<String> field(String line, String name) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equals(name)) {
                return Optional.empty();
            }
            return Optional.of(line.substring(colon + 1).trim());
        }
    }
}
