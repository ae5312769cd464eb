"""XSDs and JSON schemas, shipped as package data and read by ``importers``."""

from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent
