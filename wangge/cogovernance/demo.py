"""Demo data for this app, loaded by wangge.demo.services.demo_load after the cases."""


def load(*, with_cases: bool) -> None:
    """Nothing yet."""
