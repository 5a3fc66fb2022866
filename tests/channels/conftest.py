import pytest


@pytest.fixture(autouse=True)
def _open311_reads_fresh():
    """Each test sees its own keys, services and streets, not a copy kept by an earlier one."""
    from wangge.channels import selectors

    selectors.cache_clear()
    yield
    selectors.cache_clear()
