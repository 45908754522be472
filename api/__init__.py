"""HTTP API (FastAPI) over the matcher library."""
