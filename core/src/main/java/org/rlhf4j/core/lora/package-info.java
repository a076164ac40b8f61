/**
 * LoRA: low-rank adapters on a Llama's projections with the base frozen ({@link
 * org.rlhf4j.core.lora.LoraAdapters}), their config ({@link org.rlhf4j.core.lora.LoraConfig}, the
 * {@code lora:} section of every stage) and PEFT's file format ({@link
 * org.rlhf4j.core.lora.PeftAdapterFiles}). The model applies an adapter inside its one projection
 * entry point, {@code Linear.apply}; generation folds adapters into its fused inference copy.
 */
package org.rlhf4j.core.lora;
