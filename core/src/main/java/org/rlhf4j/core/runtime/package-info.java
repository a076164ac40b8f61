/** Process set-up shared by every entry point: DJL offline mode, device selection. */
package org.rlhf4j.core.runtime;
