"""Read-only outputs computed from a loaded ledger; shared by the CLI and the Fava page."""
