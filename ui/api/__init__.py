"""HTTP API routers (/api, /v1, health) and what they share: state, auth dependencies, errors, rendering."""
