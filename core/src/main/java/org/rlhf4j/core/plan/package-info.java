/** Predicting a run's peak memory and step time from its config and the model's config.json, before any weights load. */
package org.rlhf4j.core.plan;
