"""Persistence: one SQL implementation of the ports (SQLAlchemy on SQLite), for real runs and
tests alike; tests copy a migrated template database (tests/stores.py)."""
