"""A resolver for the Fetcher that answers from a table, so no test ever asks real DNS."""

from __future__ import annotations


class FakeDNS:
    """Answers from a table; remembers every name it was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return list(self.table.get(host, []))
