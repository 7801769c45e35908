#!/usr/bin/env bash
# The GPU device check (issue 13): `gan-studio bench --backend webgpu` (Dawn on Vulkan) beside
# torch_dcgan.py --device cuda, same arguments, alternating runs, medians, and the speed ratio
# PyTorch ms ÷ project ms per shape. Runs from the device bundle (npm run device-bundle, see
# src-main/bench/README.md) as `bash device-bundle/run.sh`, with no network and no node_modules:
# Node, the bench, Dawn and the Vulkan loader come from the bundle, PyTorch from the machine.
#
#   bash run.sh [RUNS]        (default 3 runs per arm and shape)
#
# Env: CONFIGS ("size width batch" triples, comma-separated; default "64 64 16,32 32 16"),
# STEPS (timed iterations per run, default 20), TORCH_DEVICE (default cuda), PYTHON (default python3),
# ALLOW_SOFTWARE=1 (a software WebGPU adapter will do: for testing the bundle on a machine without a GPU).
# Exit 3 with one line "device check blocked: …" when the machine lacks what the check needs
# (Linux x86-64, gzip, a Node that starts, a WebGPU adapter, PyTorch, CUDA); other failures exit 1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${1:-3}"
blocked() {
  echo "device check blocked: $*" >&2
  exit 3
}
first_line() { grep -v '^\s*$' | head -n 1 | cut -c1-300; }

[[ "$(uname -s) $(uname -m)" == 'Linux x86_64' ]] || blocked "the bundle is built for Linux x86-64, this is $(uname -s) $(uname -m)"
command -v gzip >/dev/null || blocked 'gzip is not installed'

# Node and dawn.node travel compressed; they are unpacked outside the bundle folder, so the folder
# keeps the size it was carried with.
work="$(mktemp -d "${TMPDIR:-/tmp}/gan-studio-device.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -R "$here/app" "$work/app"
dawn="$work/app/node_modules/webgpu/dist/linux-x64/dawn.node"
gzip -dc "$dawn.gz" >"$dawn" && rm "$dawn.gz" || blocked "could not unpack dawn.node into $work"
gzip -dc "$here/node.gz" >"$work/node" && chmod +x "$work/node" || blocked "could not unpack Node into $work"
node_version="$("$work/node" --version 2>&1)" || blocked "the bundled Node does not start here: $(first_line <<<"$node_version")"

# The Vulkan loader: the machine's where it has one, else the bundle's. The driver (ICD) is the machine's;
# NVIDIA's container mounts list theirs outside the loader's default folders.
ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
if "$ldconfig" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  loader=machine
else
  loader=bundle
  export LD_LIBRARY_PATH="$here/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
icd="${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}"
if [[ -z "$icd" ]]; then
  shopt -s nullglob
  listed=(/etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json)
  if ((${#listed[@]})); then
    icd="${listed[*]} (the loader's folders)"
  elif [[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json VK_ICD_FILENAMES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    icd="$VK_DRIVER_FILES"
  else
    icd='none found'
  fi
  shopt -u nullglob
fi
echo "node $node_version (bundled); Vulkan loader: the $loader's; Vulkan drivers: $icd"
if command -v nvidia-smi >/dev/null; then nvidia-smi -L 2>/dev/null | sed 's/^/nvidia-smi: /' || true; fi

# The adapters Dawn sees; a hardware one is required unless ALLOW_SOFTWARE=1.
adapters_err="$work/adapters.err"
if ! "$work/node" "$work/app/bench.mjs" adapters ${ALLOW_SOFTWARE:+--allow-software} 2>"$adapters_err"; then
  blocked "$(first_line <"$adapters_err")"
fi

# PyTorch, on the device torch_dcgan.py will use.
python="${PYTHON:-python3}"
torch_device="${TORCH_DEVICE:-cuda}"
command -v "$python" >/dev/null || blocked "$python is not installed (set PYTHON)"
torch_line="$("$python" - "$torch_device" 2>&1 <<'EOF'
import sys
try:
    import torch
except Exception as error:
    print(f"{sys.executable} cannot import torch: {error}"); sys.exit(1)
device = sys.argv[1]
if device.startswith("cuda"):
    if not torch.cuda.is_available():
        print(f"PyTorch {torch.__version__} sees no CUDA device"); sys.exit(1)
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})")
else:
    print(f"torch {torch.__version__} on {device}")
EOF
)" || blocked "$(first_line <<<"$torch_line")"
echo "$torch_line"

PROJECT_NODE="$work/node" PROJECT_CLI="$work/app/bench.mjs" TORCH_DCGAN="$here/torch_dcgan.py" PYTHON="$python" \
  TORCH_DEVICE="$torch_device" STEPS="${STEPS:-20}" CONFIGS="${CONFIGS:-64 64 16,32 32 16}" \
  bash "$here/bench-vs-torch.sh" "$runs" webgpu || {
  status=$?
  echo "device check failed: bench-vs-torch.sh exited with $status (its last lines above say why)" >&2
  exit 1
}
