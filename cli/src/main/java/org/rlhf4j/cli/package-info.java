/** The {@code rlhf4j} command line (picocli): one small class per subcommand. */
package org.rlhf4j.cli;
