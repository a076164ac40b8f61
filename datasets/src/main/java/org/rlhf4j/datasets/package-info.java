/**
 * Chat templates, JSONL readers and validators, tokenization with loss masks, batching and the demo data.
 *
 * <h2>Using it from a trainer</h2>
 * <pre>{@code
 * ChatTemplate template = ChatTemplates.select(cfg.data().chatTemplate(), tokenizer);
 * SftDataset data = SftDataset.load(cfg.data(), tokenizer, template, maxSeqLen, pretrain, seed);
 * log(data.report().summary());
 * BatchSampler sampler = BatchSampler.of(data.train(), batchSize, cfg.data().groupByLength(), seed);
 * BatchCollator collator = new BatchCollator(padId, config.effectiveSlidingWindow());
 * Iterator<BatchSampler.Batch> batches = sampler.from(state.epoch(), state.batchIndex());
 * ... rows = indices of batches.next().rows() in data.train(); collator.collate(rows, stepManager)
 * }</pre>
 * A resumed run stores the epoch and index of the next batch and calls {@code sampler.from(epoch,
 * index)}: batches are a pure function of (seed, epoch, index).
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Template engine.</b> Jinja templates are rendered by {@link org.rlhf4j.datasets.jinja}, a
 *       Jinja2 renderer written for Hugging Face chat templates (why not Jinjava: see that package).
 *       Message content is data, never template code.</li>
 *   <li><b>Formats.</b> Records are read in the format {@code data.format} names, {@code auto} by
 *       default: detected once from the keys of the first record ({@link org.rlhf4j.datasets.format.FormatDetector})
 *       and printed in the data summary. SFT: {@code {"messages": [{"role", "content"}, ...]}} (roles system,
 *       user, assistant, tool; at least one assistant message; a message's other keys, such as
 *       {@code tool_calls} and {@code reasoning_content}, are passed to the chat template),
 *       {@code {"prompt", "response" | "completion", "system"?}} (strings or message lists), Alpaca and
 *       ShareGPT; preference: TRL and rlhf4j pairs (implicit prompts included), UltraFeedback scores as
 *       margins, ShareGPT ranking, Alpaca pairs and HH-RLHF transcripts ({@link org.rlhf4j.datasets.format}).
 *       {@code data.columns} and {@code data.roles} rename keys and roles before detection. Pretraining
 *       reads {@code {"text": "..."}} records or a {@code .txt} file. Files are JSONL or one JSON array
 *       (streamed), gzipped or not, or directories of shards. Blank JSONL lines are skipped.</li>
 *   <li><b>Validation.</b> Files are decoded strictly as UTF-8 (a malformed byte is an error naming
 *       its line and byte offset, never a U+FFFD). Bad JSON, a non-object line, missing keys, unknown
 *       roles, non-string content, an empty conversation, no assistant turn, duplicate keys and
 *       template or tokenization failures are bad records: {@code FILE:LINE: what is wrong; what is
 *       expected}. With {@code on_bad_record: fail} (default) the first one stops loading (a
 *       {@link org.rlhf4j.datasets.io.BadRecordException}, before any training); with {@code skip}
 *       they are counted and the first five reasons reported in {@link DataReport}.</li>
 *   <li><b>.txt files.</b> A document is a run of non-blank lines; one or more blank (or
 *       whitespace-only) lines separate documents; lines of a document are joined with {@code \n}.
 *       A document with an undecodable line is one bad record (its first bad line is named).</li>
 *   <li><b>Plain text tokens.</b> Encoded with the tokenizer's post-processor ({@code encode(text,
 *       true)}: a BOS for Llama tokenizers, nothing for the byte tokenizer), no EOS appended, as
 *       transformers' {@code run_clm} does; every token but the first of a row is a target.</li>
 *   <li><b>Loss mask.</b> {@code lossMask[t]} marks {@code ids[t]} as a target. ChatML: every
 *       assistant turn's content and its {@code <|im_end|>}; not the {@code <|im_start|>assistant\n}
 *       header, not the newline after {@code <|im_end|>}, not system or user turns. A tokenizer's own
 *       Jinja template: its {@code {% generation %}} blocks if it has them, else what the one full
 *       render shows of each assistant turn after the turn's header, through its last
 *       {@code eos_token} (see {@link JinjaChatTemplate}); templates that rewrite earlier turns
 *       (Qwen3 drops old think blocks) train on what the full render shows. {@code none}: the
 *       assistant contents.</li>
 *   <li><b>Exact token spans.</b> The rendered text is tokenized once with character offsets
 *       ({@link org.rlhf4j.core.tokenizer.Tokenizer#encodeWithOffsets}); a token is a target when its
 *       characters overlap a loss span, so the ids are always the whole text's, for byte-level BPE and
 *       SentencePiece ({@code ▁}-prepending) tokenizers alike ({@link LossMaskEncoder}).</li>
 *   <li><b>Fitting to max_seq_len.</b> A conversation longer than {@code max_seq_len} keeps its start
 *       and loses its end ({@link DataReport#truncated}); a plain-text document is split into
 *       consecutive chunks of {@code max_seq_len} tokens ({@link DataReport#split}), no overlap. A row
 *       with no loss token left is dropped ({@link DataReport#droppedNoLoss}).</li>
 *   <li><b>Eval split.</b> {@code data.eval} is read like the train file; {@code eval_fraction} holds
 *       out {@code max(1, round(f * n))} records picked by a permutation seeded with the run's seed,
 *       before fitting; both sets keep file order.</li>
 *   <li><b>Packing</b> ({@code data.packing}) is best-fit decreasing into rows of at most
 *       {@code max_seq_len} ({@link SequencePacker}), for train and eval. Each example is a segment
 *       with its own mask; {@link BatchCollator} keeps attention and positions apart.</li>
 *   <li><b>Batching</b> ({@link BatchSampler}): seeded shuffle per epoch; with {@code group_by_length}
 *       (default on) mega-batches of 50 batches sorted by length, cut into batches, batches
 *       shuffled. Partial batches are kept (one per epoch), not dropped.</li>
 * </ul>
 */
package org.rlhf4j.datasets;
