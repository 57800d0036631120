from collections.abc import Iterator

import pytest

from tests.pageserver import PageServer


@pytest.fixture
def server() -> Iterator[PageServer]:
    """A real local HTTP server, fresh for each test."""
    with PageServer() as running:
        yield running
