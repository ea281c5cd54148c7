"""Backend-neutral pieces every backend shares (no framework imports here)."""
