/**
 * Hugging Face checkpoint IO: safetensors files, sharded checkpoints and whole model directories.
 *
 * <p>Decisions:
 * <ul>
 *   <li><b>Own safetensors code.</b> DJL's {@code NDList.decode} aborts the JVM on BF16 and reads a
 *       file into one {@code byte[]} (2 GiB cap). {@link org.rlhf4j.core.io.SafetensorsReader}
 *       validates the whole header first (length, JSON, dtype, shape against byte span, offsets in
 *       range and disjoint) and every error names the file and the tensor; then it maps each
 *       tensor with {@code FileChannel.map} in pieces of whole rows, each far under 2 GiB, so
 *       tensors larger than 2 GiB load too.</li>
 *   <li><b>Dtypes.</b> Files may hold F32, BF16 and F16 weights (plus I64/I32 tensors, kept as
 *       integers). Floating tensors load as the compute dtype, FLOAT32 (or FLOAT16). BF16 never
 *       reaches the engine: it is widened in Java ({@code bits << 16}, exact). F32 and F16 are
 *       wrapped zero-copy and converted or copied by torch. Weights are written as F32, BF16 or
 *       F16 ({@link org.rlhf4j.core.io.SaveDtype}); BF16 by round-to-nearest-even in Java, with
 *       NaN written as torch's 0x7FC0, bit-identical to torch's {@code .to(torch.bfloat16)}; F16 by
 *       round-to-nearest-even in Java.</li>
 *   <li><b>Loaded arrays own their memory.</b> Zero-copy views of a read-only map segfault when
 *       written in place, so every returned array is a torch-owned copy: weights can be trained
 *       directly and the directory they came from can be overwritten by a save.</li>
 *   <li><b>Atomic writes.</b> A safetensors file or index is written to a hidden temporary
 *       sibling, flushed and renamed; {@link org.rlhf4j.core.io.ModelDirectory#save} builds the
 *       whole directory under a hidden sibling and renames it into place (an existing directory
 *       is moved aside first and deleted last). A crash leaves at most a {@code .NAME.tmp-*}
 *       sibling, never a half-written {@code NAME}.</li>
 *   <li><b>Layout.</b> The header starts with {@code {"__metadata__":{"format":"pt"}}} and is
 *       space-padded to a multiple of 8 bytes; data are contiguous in the order given. A model
 *       above the maximum shard size (default 5 GB, as transformers) is split greedily into
 *       {@code model-00001-of-0000N.safetensors} plus {@code model.safetensors.index.json}.</li>
 *   <li><b>No pickle.</b> A directory with only {@code pytorch_model.bin} is rejected with the
 *       Python one-liner that converts it to safetensors.</li>
 *   <li><b>Tolerated extras.</b> On load, {@code lm_head.weight} of a tied model and
 *       {@code rotary_emb.inv_freq} buffers are skipped; any other unexpected tensor is an
 *       error, as is a missing tensor or a wrong shape.</li>
 * </ul>
 */
package org.rlhf4j.core.io;
