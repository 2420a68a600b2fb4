"""Quality evaluation against gold sets, the llama-index baseline, and benchmarks."""
import ingest as _ingest  # noqa: F401  (offline switches first)
