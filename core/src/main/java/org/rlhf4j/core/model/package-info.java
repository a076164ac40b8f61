/** The Llama-family decoder on DJL NDArrays: config, weights keyed by Hugging Face names, forward pass and heads. */
package org.rlhf4j.core.model;
