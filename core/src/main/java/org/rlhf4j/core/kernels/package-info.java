/**
 * Fused libtorch kernels DJL does not expose (scaled-dot-product attention, SiLU, global-norm
 * clipping), called through JavaCPP's PyTorch presets on the one libtorch DJL also runs on; each
 * kernel has a DJL fallback used whenever that shared libtorch is not in force.
 */
package org.rlhf4j.core.kernels;
