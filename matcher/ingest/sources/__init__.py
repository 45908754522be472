"""Adapters that turn outside data sets into contract records (read by path, never copied)."""
