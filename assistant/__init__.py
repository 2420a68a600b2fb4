"""The assistant: reads the index built by ingest/, never writes it."""
import ingest as _ingest  # noqa: F401  (offline switches first)
