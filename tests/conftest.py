"""Shared test setup: no pickle cache, paths to the repository."""

import os
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

REPO = Path(__file__).resolve().parent.parent
