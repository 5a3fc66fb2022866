"""Triage help on intake (placeholder until the classifier lands)."""


def train_demo() -> None:
    """Nothing yet."""
