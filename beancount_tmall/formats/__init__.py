"""Source file formats: each module parses bytes into typed rows and does nothing else."""
