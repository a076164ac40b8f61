/**
 * YAML stage configs: reading, {@code --set} overrides and binding to records, with errors that
 * name the file and key and suggest the nearest known key.
 */
package org.rlhf4j.core.config;
