"""The JSON API fuzzed from its own OpenAPI schema (schemathesis): no 500s, no broken answers.

The real ``monitor serve`` (web app and scheduler) runs on 127.0.0.1 with a
token, over a database holding an article with two versions, and every
operation in ``/openapi.json`` gets generated requests, valid and invalid.
Every answer must be a documented status with a body matching the schema;
nothing may be a server error. Example counts are bounded and derandomised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.checks as checks
from hypothesis import HealthCheck, given, settings

from monitor.checker import Checker
from monitor.config import load_settings
from monitor.fetch import Fetcher
from monitor.store import Store
from monitor.watchlist import add_urls
from monitor.web.server import BackgroundServer
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

TOKEN = "schemathesis-token-0123456789"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def prepared_database(db: Path, server: PageServer) -> None:
    """One article with two versions (so diffs and versions exist) and one plain one."""
    settings = load_settings(db_path=db, environ={"MONITOR_ALLOW_PRIVATE_HOSTS": "1"})

    async def build() -> None:
        with Store(db) as store:
            server.set("/a", page(PARAGRAPHS))
            server.set("/b", page(PARAGRAPHS[:2]))
            added = add_urls(store, [server.url("/a"), server.url("/b")], now=datetime.now(UTC),
                             allow_private=True)  # fmt: skip
            async with Fetcher(settings.fetch) as fetcher:
                checker = Checker(store, settings, fetcher)
                for item in added:
                    await checker.check(store.article(item.article.id))
                server.set("/a", page([*PARAGRAPHS, "A sentence the desk added later."]))
                await checker.check(store.article(added[0].article.id))

    asyncio.run(build())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("schemathesis")
    with PageServer() as server:
        prepared_database(folder / "monitor.db", server)
        settings = load_settings(
            environ={
                "MONITOR_DB": str(folder / "monitor.db"),
                "MONITOR_ALLOW_PRIVATE_HOSTS": "1",
                "MONITOR_WEB_TOKEN": TOKEN,
                "MONITOR_SCHEDULE_TICK": "3600",
            }
        )
        with BackgroundServer(settings) as running:
            yield running.url


def test_the_api_answers_every_generated_request_without_a_server_error(site: str) -> None:
    """Every operation, valid and invalid input, with the token (without it: test_security_access)."""
    api = schemathesis.openapi.from_url(f"{site}/openapi.json", headers=AUTH)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 9
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case: Any) -> None:
            response = case.call(headers=AUTH, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            assert response.status_code < 500, response.text[:300]
            # Every check but "a schema-valid request must be accepted": the schema says a
            # URL is a string, and "0" is one, but the guard rightly refuses it with a 400.
            case.validate_response(response, excluded_checks=[checks.positive_data_acceptance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collected: every operation reported
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert failures == [], "\n\n".join(failures)
