#!/usr/bin/env bash
# Build Palisade with `--features cuda` (candle's CUDA backend) on any
# x86_64 Linux machine, with or without a GPU. See docs/gpu.md.
#
#   scripts/cuda/build.sh [OUT]           # build; stripped binary to OUT
#   scripts/cuda/build.sh --stub-only DIR # only write the libcuda stub to DIR
#
# OUT defaults to target/cuda/palisade (under the gitignored target/);
# relative paths are taken from the current directory.
# Needs: python3 with pip, gcc, strip, cargo, network access to PyPI and
# crates.io (first run only), about 1.2 GB for the toolkit and several GB
# for the build directory. A cold build is long: 46 min on 2 shared cores.
#
# Environment (all optional):
#   PALISADE_CUDA_DIR   where the CUDA 13.0 toolkit wheels are installed
#                       (default $HOME/.cache/palisade-cuda; reused when the
#                       pins below are already installed there)
#   CARGO_TARGET_DIR    cargo's build directory (default target/cuda, kept
#                       apart from the CPU build in target/)
#   CUDA_COMPUTE_CAP    GPU architecture to compile the kernels for
#                       (default 90: H100/H200, compiled as sm_90a)
#   CUDAFORGE_THREADS   parallel nvcc jobs of candle-kernels' build (default 2)
#   CARGO_BUILD_JOBS    parallel rustc jobs (cargo's own variable)
#   PALISADE_NICE=1     run the build under `nice -n 19`
#   PYTHON              the Python that runs pip (default python3)
#   CUDARC_SYS_RS       cudarc's src/driver/sys/mod.rs, when it is not in the
#                       cargo registry (a vendored source tree, say)
#
# What it does:
#   1. pip-installs the pinned CUDA 13.0 toolkit wheels from PyPI into
#      $PALISADE_CUDA_DIR (the toolkit lands in nvidia/cu13/{bin,include,lib,nvvm}).
#   2. writes $PALISADE_CUDA_DIR/link: a generated libcuda.so stub and
#      unversioned .so symlinks to the toolkit's versioned libraries.
#   3. runs `cargo build --release --locked --features cuda --bin palisade`
#      with the environment below, and strips the binary into OUT.
set -euo pipefail

caller=$PWD
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
abs() { case $1 in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }

# The toolkit, pinned to CUDA 13.0: candle-kernels compiles its kernels to
# PTX, which the driver JIT-compiles at run time, and a driver only accepts
# PTX of an ISA version it knows. The 580 driver series is CUDA 13.0; a newer
# toolkit (13.1+) emits PTX that driver refuses. Raise these pins only
# together with the GPU hosts' driver.
# All wheels go in ONE pip command: several share the nvidia/ directory, and
# a second `pip install --target` (with --upgrade) would replace it wholesale.
pins=(
  nvidia-cuda-nvcc==13.0.88
  nvidia-cuda-crt==13.0.88
  nvidia-nvvm==13.0.88
  nvidia-cuda-runtime==13.0.88
  nvidia-cuda-cccl==13.0.85
  nvidia-cuda-nvrtc==13.0.88
  nvidia-cublas==13.0.2.14
  nvidia-curand==10.4.0.35
)
cuda_version=13000 # CUDARC_CUDA_VERSION for the pins above (major 0 minor 0 0)

die() { echo "scripts/cuda/build.sh: $*" >&2; exit 1; }

# cudarc's driver bindings (src/driver/sys/mod.rs) for the version in Cargo.lock.
cudarc_sys_rs() {
  if [ -n "${CUDARC_SYS_RS:-}" ]; then
    [ -f "$CUDARC_SYS_RS" ] || die "CUDARC_SYS_RS=$CUDARC_SYS_RS is not a file"
    echo "$CUDARC_SYS_RS"
    return
  fi
  local version files
  version=$(awk '/^name = "cudarc"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  [ -n "$version" ] || die "cudarc is not in Cargo.lock"
  shopt -s nullglob
  files=("${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"cudarc-$version"/src/driver/sys/mod.rs)
  if [ ${#files[@]} -eq 0 ]; then
    cargo fetch --locked >&2
    files=("${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"cudarc-$version"/src/driver/sys/mod.rs)
  fi
  shopt -u nullglob
  [ ${#files[@]} -gt 0 ] || die "cudarc-$version sources not found under ${CARGO_HOME:-$HOME/.cargo}/registry/src (set CUDARC_SYS_RS)"
  echo "${files[0]}"
}

# The libcuda stub. cudarc (dynamic-linking, as candle enables it) links
# against the driver library, libcuda.so, which comes with the NVIDIA
# driver, not with the toolkit wheels; a machine without a GPU has none, and
# the linker refuses undefined symbols. The stub defines every driver
# function cudarc declares (whatever subset the binary ends up using) and
# carries the soname libcuda.so.1, so the binary records NEEDED libcuda.so.1.
# It is used at LINK TIME ONLY: it is not on any rpath, and at run time the
# loader finds the real driver's libcuda.so.1. Its functions are never
# called; should the stub ever be loaded by mistake, every call returns 999,
# CUDA_ERROR_UNKNOWN. The names are taken from the `fn cu...(` declarations
# in the extern "C" blocks of cudarc's bindings, so they follow cudarc's
# version in Cargo.lock.
write_stub() { # DIR
  local dir=$1 sys
  sys=$(cudarc_sys_rs)
  mkdir -p "$dir"
  sed -nE 's/^[[:space:]]+fn (cu[A-Za-z0-9_]*)\(.*/\1/p' "$sys" | sort -u |
    sed 's/.*/int &(void){return 999;}/' > "$dir/cuda_stub.c"
  [ -s "$dir/cuda_stub.c" ] || die "no driver functions found in $sys"
  gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$dir/libcuda.so" "$dir/cuda_stub.c"
  ln -sf libcuda.so "$dir/libcuda.so.1"
  echo "libcuda stub: $(wc -l < "$dir/cuda_stub.c") functions from $sys"
}

if [ "${1:-}" = "--stub-only" ]; then
  [ -n "${2:-}" ] || die "usage: $0 --stub-only DIR"
  write_stub "$(abs "$2")"
  exit 0
fi

out=$(abs "${1:-$repo/target/cuda/palisade}")
cuda_dir=${PALISADE_CUDA_DIR:-$HOME/.cache/palisade-cuda}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/cuda}
for tool in gcc strip cargo "${PYTHON:-python3}"; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# 1. Toolkit wheels (skipped when these exact pins are installed).
marker=$cuda_dir/.palisade-pins
if [ -f "$marker" ] && [ "$(cat "$marker")" = "${pins[*]}" ] && [ -x "$cuda_dir/nvidia/cu13/bin/nvcc" ]; then
  echo "== CUDA toolkit: reusing $cuda_dir"
else
  echo "== CUDA toolkit: installing into $cuda_dir"
  mkdir -p "$cuda_dir"
  rm -rf "$cuda_dir/nvidia" "$cuda_dir"/nvidia_*.dist-info "$marker"
  "${PYTHON:-python3}" -m pip install --disable-pip-version-check --no-input \
    --no-deps --only-binary=:all: --target "$cuda_dir" "${pins[@]}"
  echo "${pins[*]}" > "$marker"
fi
cuda_home=$cuda_dir/nvidia/cu13
[ -x "$cuda_home/bin/nvcc" ] || die "no nvcc in $cuda_home/bin"

# 2. Link directory: the stub, and unversioned names for the libraries
# cudarc links (-lnvrtc -lcurand -lcublas -lcublasLt; cudart for good
# measure): the wheels ship only the versioned files (libcublas.so.13), and
# `-lNAME` looks for libNAME.so.
link=$cuda_dir/link
rm -rf "$link"
write_stub "$link"
for name in cudart nvrtc curand cublas cublasLt; do
  shopt -s nullglob
  libs=("$cuda_home/lib/lib$name.so".[0-9]*)
  shopt -u nullglob
  [ ${#libs[@]} -gt 0 ] || die "lib$name.so.* not found in $cuda_home/lib"
  ln -sf "${libs[0]}" "$link/lib$name.so"
done

# 3. Build.
#  CUDA_HOME            the toolkit: nvcc, headers, libraries
#  CUDA_COMPUTE_CAP=90  without it cudaforge (candle-kernels' build) asks
#                       nvidia-smi, which fails without a GPU; 90 becomes
#                       sm_90a, Hopper only. Other GPUs need their own build.
#  CUDARC_CUDA_VERSION  pins cudarc's bindings to CUDA 13.0 rather than
#                       parsing `nvcc --version`
#  -L native=$link      the stub and the unversioned symlinks
#  -rpath-link          libcublas.so.13 needs libcublasLt.so.13; ld must
#                       find it at link time to check symbols. Link time
#                       only: nothing is written into the binary's rpath.
export CUDA_HOME=$cuda_home
export PATH=$CUDA_HOME/bin:$PATH
export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
export CUDARC_CUDA_VERSION=$cuda_version
export CUDAFORGE_THREADS=${CUDAFORGE_THREADS:-2}
export RUSTFLAGS="-L native=$link -C link-arg=-Wl,-rpath-link,$CUDA_HOME/lib${RUSTFLAGS:+ $RUSTFLAGS}"
nice=()
[ "${PALISADE_NICE:-0}" = 1 ] && nice=(nice -n 19)
echo "== cargo build (CARGO_TARGET_DIR=$CARGO_TARGET_DIR, CUDA_COMPUTE_CAP=$CUDA_COMPUTE_CAP)"
start=$SECONDS
${nice[@]+"${nice[@]}"} cargo build --release --locked --features cuda --bin palisade
echo "build took $(( (SECONDS - start) / 60 )) min"

mkdir -p "$(dirname "$out")"
strip -o "$out" "$CARGO_TARGET_DIR/release/palisade"
echo "== $out ($(du -h "$out" | cut -f1), stripped); it needs at run time:"
readelf -d "$out" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/  \1/p'
echo "Run it on a GPU host with scripts/cuda/device-check.sh $out (see docs/gpu.md)."
