# Sourced by ./rlhf4j and bench/run: the reproducible numeric mode, on unless RLHF4J_REPRODUCIBLE=0.
#
# libtorch (ATen), MKL and oneDNN pick AVX-512 or AVX2 kernels when they load, and the two round
# differently, so one seed gave different models on the two CPU kinds. Pinning the AVX2 paths (and
# the intra-op thread count, which decides how reductions are split) makes the same seed give the
# same numbers on both. MKL_CBWR=AVX2 is not used: on AMD processors MKL does not honour it as a
# code path (MKL_VERBOSE shows CNR:AUTO) and it changed results there. The values here must match
# NumericMode.PINNED and the Surefire configuration in pom.xml. Costs: README, "Reproducible numerics".
# Sets RLHF4J_THREAD_OPTS for the java command line.
RLHF4J_THREAD_OPTS=""
if [ "${RLHF4J_REPRODUCIBLE:-1}" != "0" ]; then
  export ATEN_CPU_CAPABILITY="${ATEN_CPU_CAPABILITY:-avx2}"
  export MKL_ENABLE_INSTRUCTIONS="${MKL_ENABLE_INSTRUCTIONS:-AVX2}"
  export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-AVX2}"
  RLHF4J_THREAD_OPTS="-Dai.djl.pytorch.num_threads=${RLHF4J_THREADS:-2}"
elif [ -n "${RLHF4J_THREADS:-}" ]; then
  RLHF4J_THREAD_OPTS="-Dai.djl.pytorch.num_threads=${RLHF4J_THREADS}"
fi
