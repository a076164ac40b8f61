/**
 * Tokenizers: a pure-Java byte tokenizer with ChatML special tokens and Hugging Face tokenizer.json
 * files through DJL's native binding, behind one {@link org.rlhf4j.core.tokenizer.Tokenizer}
 * interface.
 *
 * <p>Decisions:
 * <ul>
 *   <li>{@code encode(text)} never adds BOS/EOS, even where the tokenizer's post-processor would
 *       (Llama 3's {@code <|begin_of_text|>}); chat templates write their special tokens as text and
 *       special or added tokens spelled in the text always map to their single ids, so a rendered
 *       template gives the ids of transformers' {@code apply_chat_template(tokenize=True)}.
 *       {@code encode(text, true)} runs the post-processor, for plain-text pretraining.</li>
 *   <li>{@code decode} skips ids outside the vocabulary and turns invalid or truncated UTF-8 into
 *       U+FFFD, one per maximal invalid subpart, exactly as Hugging Face tokenizers does (Rust's
 *       {@code from_utf8_lossy}; Java's own decoder counts differently); {@code streamingDecoder} emits only finished
 *       characters and its output concatenates to {@code decode} of all ids.</li>
 *   <li>The byte tokenizer follows Qwen2's ChatML models: ids 0..255 are bytes,
 *       {@code <|endoftext|>} = 256 is the padding token, {@code <|im_start|>} = 257,
 *       {@code <|im_end|>} = 258 is the generation EOS, and there is no BOS. It saves a standard
 *       byte-level BPE tokenizer.json that the Hugging Face library encodes to the same ids.</li>
 *   <li>{@code Tokenizers.load} recognises the byte tokenizer by the content of its files, not by a
 *       marker; anything else goes to DJL's {@code HuggingFaceTokenizer}, built with truncation and
 *       padding off (DJL truncates to 512 tokens by default).</li>
 *   <li>EOS/BOS/padding come from tokenizer_config.json, else special_tokens_map.json, never from
 *       config.json; generation may stop on more ids than {@code eosId()} (generation_config.json),
 *       which is the generation code's concern. {@code vocabSize()} counts the tokenizer's ids; the
 *       embedding size is config.json's {@code vocab_size}, which may be larger (padded).</li>
 * </ul>
 */
package org.rlhf4j.core.tokenizer;
