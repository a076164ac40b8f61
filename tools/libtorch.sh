# Sourced by ./rlhf4j and bench/run: which libtorch the JVM loads.
#
# RLHF4J_LIBTORCH=djl (default): DJL's own libtorch 2.7.1 (MKL) from the pytorch-native-cpu jar.
# RLHF4J_LIBTORCH=javacpp: JavaCPP's libtorch 2.7.1 (OpenBLAS), built with `mvn -P javacpp`, shared by
#   DJL and the fused kernels (org.rlhf4j.core.kernels). DJL is pointed at the folder JavaCPP extracted
#   at build time; it loads libtorch from there but not JavaCPP's JNI glue (JavaCPP loads that itself),
#   and libtorch_cpu finds JavaCPP's OpenBLAS through LD_LIBRARY_PATH. Must match the javacpp profile
#   in pom.xml. Sets RLHF4J_MAVEN_PROFILE for the build command.
RLHF4J_MAVEN_PROFILE=""
case "${RLHF4J_LIBTORCH:-djl}" in
  djl) ;;
  javacpp)
    RLHF4J_MAVEN_PROFILE="-P javacpp"
    _jcpp_cache="${RLHF4J_JAVACPP_CACHE:-$HOME/.javacpp/cache}"
    _jcpp_torch="$_jcpp_cache/pytorch-2.7.1-1.5.12-linux-x86_64.jar/org/bytedeco/pytorch/linux-x86_64"
    _jcpp_blas="$_jcpp_cache/openblas-0.3.30-1.5.12-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64"
    export RLHF4J_LIBTORCH
    export PYTORCH_LIBRARY_PATH="$_jcpp_torch" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu
    export PYTORCH_LIBRARY_EXCLUSION=libjnitorch.so,libjnigloo.so
    export LD_LIBRARY_PATH="$_jcpp_blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    unset _jcpp_cache _jcpp_torch _jcpp_blas
    ;;
  *) echo "rlhf4j: RLHF4J_LIBTORCH must be djl or javacpp, got '${RLHF4J_LIBTORCH}'" >&2; exit 2 ;;
esac
