package org.rlhf4j.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.format.DataFiles;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.format.SourceRecord;
import org.rlhf4j.datasets.format.TextFormat;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import org.rlhf4j.datasets.io.TextLine;
import org.rlhf4j.datasets.jinja.TemplateException;

/**
 * The training and evaluation rows of an SFT (or pretraining) run, tokenized, masked, truncated and
 * optionally packed, with a {@link DataReport} of what was done.
 *
 * <p>Pipeline of {@link #load}: read and validate every record (bad records fail or are skipped per
 * {@code data.on_bad_record}), render and tokenize with the loss mask, split off the evaluation set
 * ({@code data.eval} file or a seeded {@code data.eval_fraction}), fit each example to
 * {@code maxSeqLen} (conversations are cut at the end; plain text is split into chunks), drop
 * examples with no loss token left, then pack when {@code data.packing} is on.
 *
 * @param train training rows, in file order (packed rows in packing order); batch them with a
 *     {@link BatchSampler}
 * @param eval evaluation rows, possibly empty
 * @param report counts and statistics for the log
 */
public record SftDataset(List<TrainingSequence> train, List<TrainingSequence> eval, DataReport report) {

    public SftDataset {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
    }

    /**
     * Loads the {@code data:} section.
     *
     * @param data the data section (files, bad-record policy, packing, template choice)
     * @param tokenizer the model's tokenizer
     * @param template the chat template ({@link ChatTemplates#select}); unused for pretraining
     * @param maxSeqLen longest row, in tokens
     * @param pretrain plain text with every token in the loss ({@code {"text": ...}} JSONL or .txt)
     *     instead of conversations with the loss on assistant turns
     * @param seed seeds the {@code eval_fraction} split
     * @throws org.rlhf4j.datasets.io.BadRecordException at the first bad record in fail mode
     * @throws UserException if no training example is left
     */
    public static SftDataset load(DataConfig data, Tokenizer tokenizer, ChatTemplate template, int maxSeqLen,
            boolean pretrain, long seed) throws IOException {
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("train.max_seq_len must be at least 2, got " + maxSeqLen);
        }
        Loader loader = new Loader(new LossMaskEncoder(tokenizer), template, pretrain, new BadRecords(data.skipBadRecords()),
                data.maxRecordBytes(), data.formats());
        List<TrainingSequence> train = loader.read(data.trainFiles());
        List<TrainingSequence> eval;
        if (data.eval() != null) {
            eval = loader.read(data.evalFiles());
        } else {
            eval = new ArrayList<>();
            train = EvalSplit.splitOff(train, data.evalFraction(), seed, eval, data.train(), "records");
        }
        int records = loader.records;
        train = loader.fit(train, maxSeqLen);
        eval = loader.fit(eval, maxSeqLen);
        if (train.isEmpty()) {
            throw new UserException(data.train() + ": no training example left (" + records + " records, "
                    + loader.bad.count() + " skipped, " + loader.droppedNoLoss + " without loss tokens after fitting"
                    + " to max_seq_len " + maxSeqLen + ")");
        }
        if (data.packing()) {
            train = SequencePacker.pack(train, maxSeqLen);
            eval = SequencePacker.pack(eval, maxSeqLen);
        }
        DataReport report = new DataReport(pretrain ? "plain text" : "conversation",
                pretrain ? "none" : template.name(), maxSeqLen, records, loader.bad.count(), loader.bad.reasons(),
                loader.truncated, loader.split, loader.droppedNoLoss, DataReport.SplitStats.of(train),
                DataReport.SplitStats.of(eval), pretrain ? null : loader.formats.describe());
        return new SftDataset(train, eval, report);
    }

    /** Reading state shared by the train and eval files: the bad-record policy and the counters. */
    private static final class Loader {
        final LossMaskEncoder encoder;
        final ChatTemplate template;
        final boolean pretrain;
        final BadRecords bad;
        final long maxRecordBytes;
        final FormatDetector formats;
        int records;
        int truncated;
        int split;
        int droppedNoLoss;

        Loader(LossMaskEncoder encoder, ChatTemplate template, boolean pretrain, BadRecords bad, long maxRecordBytes,
                FormatDetector formats) {
            this.maxRecordBytes = maxRecordBytes;
            this.formats = formats;
            this.encoder = encoder;
            this.template = template;
            this.pretrain = pretrain;
            this.bad = bad;
        }

        List<TrainingSequence> read(List<Path> files) throws IOException {
            List<TrainingSequence> out = new ArrayList<>();
            for (Path file : files) {
                read(file, out);
            }
            return out;
        }

        private void read(Path file, List<TrainingSequence> out) throws IOException {
            boolean txt = DataFiles.isPlainText(file);
            if (txt && !pretrain) {
                throw new UserException(file + ": a .txt file is plain text, which only pretraining"
                        + " reads; SFT expects JSONL of {\"messages\": [...]} or {\"prompt\": ..., \"response\": ...}");
            }
            if (txt) {
                readTextDocuments(file, out);
            } else {
                RecordReader.forEach(file, maxRecordBytes, record -> readRecord(record, out));
            }
        }

        private void readRecord(SourceRecord source, List<TrainingSequence> out) {
            if (!source.valid()) {
                bad.report(source.where(), source.problem());
                return;
            }
            try {
                TrainingSequence encoded = pretrain
                        ? encoder.encodePlainText(TextFormat.text(formats.mapped(source.record())))
                        : encoder.encode(conversation(source));
                out.add(encoded);
                records++;
            } catch (InvalidRecord | IllegalArgumentException | TemplateException e) {
                bad.report(source.where(), e.getMessage());
            }
        }

        /** The record's conversation rendered for training, its {@code tools} column given to the template. */
        private RenderedConversation conversation(SourceRecord source) throws InvalidRecord {
            List<ChatMessage> messages = formats.conversation(source.record(), source.where());
            return template.withTools(formats.tools(source.record())).renderForTraining(messages);
        }

        /** A .txt file: documents are runs of non-blank lines separated by one or more blank lines. */
        private void readTextDocuments(Path file, List<TrainingSequence> out) throws IOException {
            TextDocuments documents = new TextDocuments(out);
            try (InputStream in = DataFiles.open(file)) {
                StrictUtf8Lines.forEach(file, in, maxRecordBytes, documents);
            }
            documents.endDocument();
        }

        /** Gathers the lines of each document of a .txt file and encodes it at the blank line after it. */
        private final class TextDocuments implements Consumer<TextLine> {
            private final List<TrainingSequence> out;
            private final StringBuilder text = new StringBuilder();
            private TextLine undecodable; // first line of the document that is not UTF-8

            TextDocuments(List<TrainingSequence> out) {
                this.out = out;
            }

            @Override
            public void accept(TextLine line) {
                if (line.decoded() && line.text().isBlank()) {
                    endDocument();
                } else if (!line.decoded()) {
                    undecodable = undecodable == null ? line : undecodable;
                } else {
                    text.append(text.length() > 0 ? "\n" : "").append(line.text());
                }
            }

            void endDocument() {
                if (undecodable != null) {
                    bad.report(undecodable.where(), undecodable.decodeError()); // the whole document is left out
                } else if (text.length() > 0) {
                    out.add(encoder.encodePlainText(text.toString()));
                    records++;
                }
                text.setLength(0);
                undecodable = null;
            }
        }

        /** Cuts conversations at {@code maxSeqLen} or splits plain text into chunks; drops loss-free rows. */
        List<TrainingSequence> fit(List<TrainingSequence> examples, int maxSeqLen) {
            List<TrainingSequence> out = new ArrayList<>(examples.size());
            for (TrainingSequence e : examples) {
                List<TrainingSequence> pieces;
                if (e.length() <= maxSeqLen) {
                    pieces = List.of(e);
                } else if (pretrain) {
                    split++;
                    pieces = chunks(e, maxSeqLen);
                } else {
                    truncated++;
                    pieces = List.of(TrainingSequence.of(Arrays.copyOf(e.ids(), maxSeqLen),
                            Arrays.copyOf(e.lossMask(), maxSeqLen)));
                }
                for (TrainingSequence p : pieces) {
                    if (p.lossTokens() == 0) {
                        droppedNoLoss++;
                    } else {
                        out.add(p);
                    }
                }
            }
            return out;
        }

        /** Consecutive pieces of at most {@code size} tokens; each piece's first token has no context. */
        private static List<TrainingSequence> chunks(TrainingSequence e, int size) {
            List<TrainingSequence> out = new ArrayList<>();
            for (int from = 0; from < e.length(); from += size) {
                int to = Math.min(e.length(), from + size);
                boolean[] mask = Arrays.copyOfRange(e.lossMask(), from, to);
                mask[0] = false;
                out.add(TrainingSequence.of(Arrays.copyOfRange(e.ids(), from, to), mask));
            }
            return out;
        }
    }
}
