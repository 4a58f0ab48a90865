#!/usr/bin/env bash
# Forward pass over a large volume as a Slurm job array, then one merge job.
#
#   examples/slurm/forward-array.sh CONFIG.cfg [N]      (on the login node; N = tasks, default 8)
#
# Run by hand, this script submits two jobs:
#   1. an array of N tasks (ids 0..N-1); each runs `znn forward CONFIG.cfg`, which reads its block
#      K/N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT and computes only that block of every
#      sample in forward_range;
#   2. a job that waits for every task to succeed (afterok) and runs `znn convert merge CONFIG.cfg`,
#      which joins the blocks into <output_prefix>_sample<N>_output.h5.
# A task that failed can simply be run again: blocks already written are skipped.
# Under Slurm (SLURM_ARRAY_TASK_ID set) it is step 1's task.
#
# Environment: ZNN = the znn executable (default: znn on PATH, else build/src/cli/znn of this
# repository). Sbatch passes the submitting shell's environment on to the jobs (--export=ALL).
# Adjust the #SBATCH lines below to your cluster (partition, account, memory, time).
#
#SBATCH --job-name=znn-forward
#SBATCH --cpus-per-task=16
#SBATCH --mem=32G
#SBATCH --time=04:00:00
#SBATCH --output=znn-forward-%A_%a.log
set -euo pipefail

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    # --- one array task ---------------------------------------------------------------------------
    cfg="$1"
    echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT on $(hostname): $cfg" >&2
    # num_threads = the cores Slurm gave this task (the cfg may say 0 = every core of the node).
    exec "$ZNN" forward "$cfg" --set "num_threads=${SLURM_CPUS_PER_TASK:-0}"
fi

# --- submission ---------------------------------------------------------------------------------------
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    sed -n '2,/^#SBATCH/p' "$0" | grep -v '^#SBATCH' | sed 's/^# \{0,1\}//'
    exit 0
fi
if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: forward-array.sh CONFIG.cfg [N]   (--help for more)" >&2
    exit 2
fi
cfg="$(realpath "$1")"
tasks="${2:-8}"
[[ -f "$cfg" ]] || { echo "forward-array.sh: no such file: $1" >&2; exit 2; }
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || { echo "forward-array.sh: N must be a positive integer" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ZNN="${ZNN:-$(command -v znn || echo "$root/build/src/cli/znn")}"
ZNN="$(realpath "$ZNN")"
[[ -x "$ZNN" ]] || { echo "forward-array.sh: znn not found (set ZNN=/path/to/znn)" >&2; exit 2; }
export ZNN

array_job=$(sbatch --parsable --array="0-$((tasks - 1))" "$(realpath "$0")" "$cfg")
array_job="${array_job%%;*}"   # --parsable prints "id" or "id;cluster"
merge_job=$(sbatch --parsable --job-name=znn-merge --dependency="afterok:$array_job" \
    --cpus-per-task=1 --mem=8G --time=01:00:00 --output="znn-merge-%j.log" \
    --wrap="$(printf '%q convert merge %q' "$ZNN" "$cfg")")
echo "submitted forward array $array_job ($tasks tasks) and merge job ${merge_job%%;*}"
