"""The local machine: its ephemeral port range and what listens on its ports."""
