#!/usr/bin/env bash
# Training speed of `gan-studio bench --arch dcgan-ref` against the PyTorch reference
# (shared/bench/torch_dcgan.py, see shared/bench/README.md), same arguments, same machine.
#
#   src-main/bench/bench-vs-torch.sh [RUNS] [BACKEND]      (defaults: 3 runs, wasm)
#
# Each configuration runs the project and PyTorch alternately, RUNS times each, so both see the
# same background load; absolute times drift with it, so the medians and their ratio
# (PyTorch ms / project ms: project images/s as a share of PyTorch's; ≥ 1 means faster) are what to quote. Needs python3-torch and libopenblas0-pthread
# (apt-get install -y python3-torch libopenblas0-pthread). Env: TORCH_DCGAN (script path),
# PYTHON (default /usr/bin/python3), STEPS (timed iterations per run, default 5), TORCH_DEVICE
# (torch_dcgan.py's --device: cpu by default, cuda on an NVIDIA GPU), CONFIGS (comma-separated
# "size width batch" triples, default "64 64 16,32 32 16"), PROJECT_NODE and PROJECT_CLI (the Node
# and the gan-studio entry that run `bench`; default: node and src-main/cli/gan-studio.mjs; the GPU
# device bundle's run.sh points them at its own, see src-main/bench/README.md).
set -euo pipefail

runs="${1:-3}"
backend="${2:-wasm}"
steps="${STEPS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
torch_script="${TORCH_DCGAN:-$root/../shared/bench/torch_dcgan.py}"
python="${PYTHON:-/usr/bin/python3}"
project_node="${PROJECT_NODE:-node}"
project_cli="${PROJECT_CLI:-$root/src-main/cli/gan-studio.mjs}"
torch_device=(${TORCH_DEVICE:+--device "$TORCH_DEVICE"})
IFS=, read -ra configs <<<"${CONFIGS:-64 64 16,32 32 16}"

if [[ ! -f "$torch_script" ]]; then
  echo "bench-vs-torch: $torch_script not found (set TORCH_DCGAN)" >&2
  exit 2
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "bench-vs-torch: $python cannot import torch (apt-get install -y python3-torch libopenblas0-pthread)" >&2
  exit 2
fi

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The value of a numeric field of a one-line JSON object.
field() { sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p"; }

printf '%-22s %12s %12s %12s %12s %8s\n' config 'project ms' 'torch ms' 'project img/s' 'torch img/s' ratio
for config in "${configs[@]}"; do
  read -r size width batch <<<"$config"
  project_ms=() torch_ms=() project_ips=() torch_ips=()
  for ((i = 0; i < runs; i++)); do
    p="$("$project_node" "$project_cli" bench --arch dcgan-ref --size "$size" --width "$width" \
      --batch "$batch" --steps "$steps" --backend "$backend" --json | tail -n 1)"
    t="$("$python" "$torch_script" --size "$size" --width "$width" --batch "$batch" --steps "$steps" "${torch_device[@]}" | tail -n 1)"
    echo "  run $((i + 1)): project $p" >&2
    echo "  run $((i + 1)): torch   $t" >&2
    project_ms+=("$(field msPerIter <<<"$p")") project_ips+=("$(field imgPerSec <<<"$p")")
    torch_ms+=("$(field msPerIter <<<"$t")") torch_ips+=("$(field imgPerSec <<<"$t")")
  done
  pm="$(printf '%s\n' "${project_ms[@]}" | median)"
  tm="$(printf '%s\n' "${torch_ms[@]}" | median)"
  pi="$(printf '%s\n' "${project_ips[@]}" | median)"
  ti="$(printf '%s\n' "${torch_ips[@]}" | median)"
  ratio="$(awk -v a="$pm" -v b="$tm" 'BEGIN { printf "%.2f", b / a }')"
  printf '%-22s %12s %12s %12s %12s %7sx\n' "${size}px w${width} b${batch}" "$pm" "$tm" "$pi" "$ti" "$ratio"
done
echo "(medians of $runs alternating runs each; ratio = PyTorch ms per iteration / project ms per iteration (the speed ratio; 1.0 = PyTorch's speed))"
