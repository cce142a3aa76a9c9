#!/usr/bin/env bash
# Creates the Python environment for bench/train_reference.py: a venv with PyTorch (CPU build) and numpy.
# Idempotent: an existing venv is reused and pip leaves satisfied requirements alone. Prints the versions.
#
#   bench/setup-python.sh [VENV_DIR]            (default bench/.venv, git-ignored)
#
# Settings (environment):
#   PYTHON       interpreter that creates the venv [python3]
#   TORCH_SPEC   pip requirement for PyTorch [the newest local "+cpu" wheel found in pip's find-links, else "torch"]
#   NUMPY_SPEC   pip requirement for numpy [numpy]
#
# Why the "+cpu" wheel: on these machines pip sees two torch builds, a CPU-only one in the find-links
# directory (~190 MB) and a newer default build from the package index that is the CUDA variant
# (~550 MB plus several GB of nvidia-* wheels). A plain `pip install torch` takes the newer one, whose
# CPU code path is the same but whose install is an order of magnitude larger, so the CPU wheel is
# preferred whenever one is there. No index outside pip's configured ones is contacted.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
venv=${1:-"$bench_dir/.venv"}
python=${PYTHON:-python3}

make_venv() {
    "$python" -m venv "$venv" || { echo "setup-python: '$python -m venv $venv' failed (see above; on Debian or Ubuntu the python3-venv package provides ensurepip; or remove $venv)" >&2; exit 1; }
}

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup-python: creating venv $venv" >&2
    make_venv
elif ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    # A venv whose creation stopped after its python but before pip (ensurepip missing) was kept by every
    # later run, which then failed with "No module named pip"; creating it again over itself adds pip.
    echo "setup-python: $venv has no pip (its creation stopped half-way?); creating it again" >&2
    make_venv
fi
# Self-ignoring, as Python 3.13's venv makes it, so the venv never lands in a commit wherever it lives.
[[ -f "$venv/.gitignore" ]] || echo '*' > "$venv/.gitignore"
vpy="$venv/bin/python"

# Prints the newest local torch CPU wheel's requirement (torch==X+cpu) for this interpreter, or nothing.
local_cpu_torch() {
    local dirs tag
    dirs=$( { "$vpy" -m pip config get global.find-links 2>/dev/null || true; echo "${PIP_FIND_LINKS:-}"; } | tr ' ' '\n' | sed 's|^file://||' | sort -u)
    tag=$("$vpy" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
    for dir in $dirs; do
        [[ -d "$dir" ]] && ls "$dir" 2>/dev/null | grep -E "^torch-[0-9.]+\+cpu-${tag}-${tag}-(manylinux|linux).*_$(uname -m)\.whl$" || true
    done | sed -E 's/^torch-([^-]+)-.*/\1/' | sort -V | tail -n 1 | sed 's/^/torch==/'
}

torch_spec=${TORCH_SPEC:-$(local_cpu_torch)}
if [[ -z "$torch_spec" ]]; then
    torch_spec=torch
    echo "setup-python: no local torch +cpu wheel found; installing '$torch_spec' (may be the large CUDA build)" >&2
fi
numpy_spec=${NUMPY_SPEC:-numpy}

# pip's default index may be unreachable here (the packages come from local find-links and file:// indexes);
# without this, every dependency lookup waits through five retries against it before moving on.
export PIP_RETRIES=${PIP_RETRIES:-0}
echo "setup-python: pip install $torch_spec $numpy_spec" >&2
"$vpy" -m pip install --quiet "$torch_spec" "$numpy_spec" 2> >(grep -v -E "is ignored: it is neither a file nor a directory|Failed to establish a new connection" >&2)

"$vpy" - <<'EOF'
import platform
import numpy
import torch
print(f"python {platform.python_version()}")
print(f"numpy {numpy.__version__}")
print(f"torch {torch.__version__} (cuda build: {torch.version.cuda or 'no'}; mkl: {torch.backends.mkl.is_available()}; "
      f"mkldnn: {torch.backends.mkldnn.is_available()})")
EOF
echo "setup-python: ready; run: $vpy $bench_dir/train_reference.py --help" >&2
