"""Persistence: SQLite through aiosqlite for real runs, an in-memory store for core tests."""
