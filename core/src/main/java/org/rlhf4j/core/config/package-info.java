/**
 * YAML stage configs: reading, {@code --set} overrides and binding to records, with errors that
 * name the file and key and suggest the nearest known key; the default-and-range checks the
 * records share ({@link org.rlhf4j.core.config.ConfigChecks}); and
 * {@link org.rlhf4j.core.config.UserException}, the base of every error the user can fix (config,
 * data, templates, model directories, command-line values, a diverged or interrupted run), which
 * the CLI prints as one line while anything else is reported as a bug with its stack trace.
 */
package org.rlhf4j.core.config;
