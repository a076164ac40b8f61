/** Supervised fine-tuning on ChatML conversations with a masked loss, and pretraining on plain text. */
package org.rlhf4j.sft;
