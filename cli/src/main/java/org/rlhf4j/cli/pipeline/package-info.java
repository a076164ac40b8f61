/**
 * {@code rlhf4j pipeline} and {@code rlhf4j demo}: stages run in order in one run directory, each
 * kind a small {@link org.rlhf4j.cli.pipeline.StageRunner}, outputs fed forward through
 * {@code ${stage.output}} references, and a Markdown report with the eval tables and PNG plots of
 * the training curves.
 */
package org.rlhf4j.cli.pipeline;
