"""Persistent stores: vectors (Chroma), BM25, and the SQLite register."""
