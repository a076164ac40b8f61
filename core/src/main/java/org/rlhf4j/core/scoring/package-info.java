/** Scoring of given sequences: per-token log-probabilities under a causal LM. */
package org.rlhf4j.core.scoring;
