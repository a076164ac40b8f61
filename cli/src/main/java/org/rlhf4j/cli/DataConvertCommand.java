package org.rlhf4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.datasets.format.CanonicalJson;
import org.rlhf4j.datasets.format.DataFiles;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.format.SourceRecord;
import org.rlhf4j.datasets.format.TextFormat;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j data convert}: reads any supported format (as {@code data.format} does) and writes
 * rlhf4j's own JSONL, one record a line, streaming: the input is never held in memory.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a data set in any supported format (messages, prompt_completion, alpaca, sharegpt,",
            "text, preference, ultrafeedback, hh_rlhf; JSONL or a JSON array, gzipped or not, a file or a directory of",
            "shards) to rlhf4j's JSONL: {\"messages\": [...]} conversations or {\"prompt\", \"chosen\", \"rejected\"} pairs."},
        footer = {"", "Examples:",
            "  rlhf4j data convert --in alpaca_data.json --out sft.jsonl",
            "  rlhf4j data convert --in hh-rlhf/train.jsonl.gz --format hh_rlhf --out pairs.jsonl",
            "  rlhf4j data convert --in data.jsonl --column messages=conv --role bot=assistant --out sft.jsonl"})
final class DataConvertCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the records are read as. */
    enum Kind { auto, sft, preference, text }

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Input file or directory of shards.")
    String in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL.")
    Path out;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "F",
            description = "Input format, as data.format (default: ${DEFAULT-VALUE}, detected from the first record).")
    String format;

    @Option(names = "--kind", defaultValue = "auto", paramLabel = "KIND",
            description = "sft, preference or text (default: ${DEFAULT-VALUE}: preference when the first record has"
                    + " chosen or rejected, else sft).")
    Kind kind;

    @Option(names = "--column", paramLabel = "KEY=COLUMN", description = "As data.columns, e.g. messages=conv.")
    Map<String, String> columns = new LinkedHashMap<>();

    @Option(names = "--role", paramLabel = "NAME=ROLE", description = "As data.roles, e.g. bot=assistant.")
    Map<String, String> roles = new LinkedHashMap<>();

    @Option(names = "--skip-bad", description = "Skip bad records (counted and reported) instead of stopping at the first.")
    boolean skipBad;

    @Override
    public Integer call() throws IOException {
        FormatDetector formats;
        try {
            formats = new FormatDetector(format, columns, roles);
        } catch (IllegalArgumentException e) {
            throw new UserException("--format/--column: " + e.getMessage());
        }
        List<Path> files = DataFiles.expand(in, "--in");
        BadRecords bad = new BadRecords(skipBad);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        long[] written = {0};
        Kind[] chosen = {kind};
        try (BufferedWriter writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (Path file : files) {
                RecordReader.forEach(file, StrictUtf8Lines.DEFAULT_MAX_LINE_BYTES, source -> {
                    ObjectNode converted = convert(source, formats, chosen, bad);
                    if (converted != null) {
                        try {
                            writer.write(JSON.writeValueAsString(converted));
                            writer.write('\n');
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        written[0]++;
                    }
                });
            }
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("converted %d records (%s, %s) to %s%n", written[0], chosen[0],
                formats.describe() == null ? "plain text" : formats.describe(), out);
        System.out.print(BadRecords.describe(bad.count(), bad.reasons()));
        return 0;
    }

    private static ObjectNode convert(SourceRecord source, FormatDetector formats, Kind[] kind, BadRecords bad) {
        if (!source.valid()) {
            bad.report(source.where(), source.problem());
            return null;
        }
        try {
            if (kind[0] == Kind.auto) {
                kind[0] = FormatDetector.isPreference(formats.mapped(source.record())) ? Kind.preference : Kind.sft;
            }
            return switch (kind[0]) {
                case preference -> CanonicalJson.pair(formats.pair(source.record(), source.where()));
                case text -> CanonicalJson.text(TextFormat.text(formats.mapped(source.record())));
                default -> CanonicalJson.conversation(formats.conversation(source.record(), source.where()),
                        formats.tools(source.record()));
            };
        } catch (InvalidRecord e) {
            bad.report(source.where(), e.getMessage());
            return null;
        }
    }
}
