/**
 * Small tensor helpers that every stage shares: graph-safe scalars, log-sigmoid, masked
 * reductions and right-padded batches. Depends on DJL only, so every other package may use it.
 */
package org.rlhf4j.core.ops;
