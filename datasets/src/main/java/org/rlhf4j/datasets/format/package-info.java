/**
 * Record formats as data sets are published (messages, prompt/completion, Alpaca, ShareGPT, TRL
 * preference with implicit prompts and responses of several turns, UltraFeedback scores, HH-RLHF
 * transcripts), their detection from the first record, column and role mapping, a record's
 * {@code tools} column for the chat template, and streaming of JSONL and JSON-array files, gzipped
 * or not.
 */
package org.rlhf4j.datasets.format;
