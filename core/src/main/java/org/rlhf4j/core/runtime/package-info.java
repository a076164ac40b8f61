/**
 * Process set-up shared by every entry point: DJL offline mode, device selection, and the numeric
 * mode in force (reproducible or native kernels).
 */
package org.rlhf4j.core.runtime;
