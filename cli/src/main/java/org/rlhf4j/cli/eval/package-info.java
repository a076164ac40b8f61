/**
 * Task evaluation ({@code rlhf4j eval}): greedy answers to held-out prompts graded exactly, with
 * 95% confidence intervals, and a sampled estimate of the KL divergence to a reference model.
 */
package org.rlhf4j.cli.eval;
