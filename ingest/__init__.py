"""Ingestion: corpus files → council structure → chunks → index. Never imports assistant/ or ui/."""
from ingest import environment as _environment  # noqa: F401  (offline switches first)
