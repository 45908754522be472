"""Ingest: JSON Lines / CSV readers and the importer (file:line:field errors), and outside data sources."""
