"""People and HTTP: the CLI, the API and the Gradio web UI."""
import ingest as _ingest  # noqa: F401  (offline switches first)
