# Sourced by ./rlhf4j, bench/run and bench/gpu-check: which libtorch the JVM loads.
#
# RLHF4J_LIBTORCH=djl (default): DJL's own libtorch 2.7.1 (MKL) from the pytorch-native-cpu jar.
# RLHF4J_LIBTORCH=javacpp: JavaCPP's libtorch 2.7.1 (OpenBLAS), built with `mvn -P javacpp`, shared by
#   DJL and the fused kernels (org.rlhf4j.core.kernels). DJL is pointed at the folder JavaCPP extracted
#   at build time; it loads libtorch from there but not JavaCPP's JNI glue (JavaCPP loads that itself),
#   and libtorch_cpu finds JavaCPP's OpenBLAS through LD_LIBRARY_PATH.
# RLHF4J_LIBTORCH=javacpp-gpu: the same with JavaCPP's CUDA 12.9 build (`mvn -P gpu`) and DJL's cu128 JNI.
# Must match the javacpp and gpu profiles in pom.xml. Sets RLHF4J_MAVEN_PROFILE for the build command.
RLHF4J_MAVEN_PROFILE=""
_jcpp_ext=""
case "${RLHF4J_LIBTORCH:-djl}" in
  djl) ;;
  javacpp) RLHF4J_MAVEN_PROFILE="-P javacpp"; export PYTORCH_FLAVOR=cpu ;;
  javacpp-gpu) RLHF4J_MAVEN_PROFILE="-P gpu"; _jcpp_ext="-gpu"; export PYTORCH_FLAVOR=cu128 ;;
  *) echo "rlhf4j: RLHF4J_LIBTORCH must be djl, javacpp or javacpp-gpu, got '${RLHF4J_LIBTORCH}'" >&2; exit 2 ;;
esac
if [ -n "$RLHF4J_MAVEN_PROFILE" ]; then
  _jcpp_cache="${RLHF4J_JAVACPP_CACHE:-$HOME/.javacpp/cache}"
  _jcpp_plat="linux-x86_64"
  export RLHF4J_LIBTORCH PYTORCH_VERSION=2.7.1
  export PYTORCH_LIBRARY_PATH="$_jcpp_cache/pytorch-2.7.1-1.5.12-$_jcpp_plat$_jcpp_ext.jar/org/bytedeco/pytorch/$_jcpp_plat$_jcpp_ext"
  export PYTORCH_LIBRARY_EXCLUSION=libjnitorch.so,libjnigloo.so
  # JavaCPP's OpenBLAS runs its own spinning pthreads next to libtorch's OpenMP ones: with both at 2 a
  # train step cost 6.1 s of CPU instead of 1.1 s on the shared 2-core machine. One BLAS thread each.
  export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
  _jcpp_libs="$_jcpp_cache/openblas-0.3.30-1.5.12-$_jcpp_plat.jar/org/bytedeco/openblas/$_jcpp_plat"
  if [ -n "$_jcpp_ext" ]; then
    # cuda-redist 12.9-9.10-1.5.12 on Maven Central carries cudart, cufft, curand, nvrtc, ... but not cuBLAS,
    # cuSPARSE, cuSOLVER or cuDNN, which libtorch_cuda needs: RLHF4J_CUDA_LIBS names folders holding
    # them (a CUDA 12.x toolkit + cuDNN 9, or the nvidia-*-cu12 pip wheels' lib folders).
    _jcpp_libs="$_jcpp_libs:$_jcpp_cache/cuda-redist-12.9-9.10-1.5.12-$_jcpp_plat.jar/org/bytedeco/cuda/$_jcpp_plat"
    _jcpp_libs="$_jcpp_libs${RLHF4J_CUDA_LIBS:+:$RLHF4J_CUDA_LIBS}"
    for _lib in libcublas.so.12 libcublasLt.so.12 libcusparse.so.12 libcusolver.so.11 libcudnn.so.9; do
      _found=""
      for _dir in ${_jcpp_libs//:/ } ${LD_LIBRARY_PATH//:/ }; do [ -e "$_dir/$_lib" ] && _found=1 && break; done
      [ -z "$_found" ] && ! /sbin/ldconfig -p 2>/dev/null | grep -q "$_lib" \
        && echo "rlhf4j: $_lib not found: libtorch_cuda will not load; set RLHF4J_CUDA_LIBS (README, Running on a GPU)" >&2
    done
    unset _lib _found _dir
  fi
  export LD_LIBRARY_PATH="$_jcpp_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  unset _jcpp_cache _jcpp_plat _jcpp_libs
fi
unset _jcpp_ext
