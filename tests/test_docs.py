"""The documentation is tested: every command has help with an example and a README entry."""

from pathlib import Path

import click
import pytest

from monitor.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, f"{path} "))
    return found


COMMANDS = all_commands(main)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path: str, command: click.Command) -> None:
    assert command.help, f"monitor {path} has no help"
    assert "Example:" in command.help, f"monitor {path}'s help lacks an example"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_is_in_the_readme(path: str, command: click.Command) -> None:
    assert f"monitor {path}" in README, f"README does not mention `monitor {path}`"


def test_every_setting_section_is_documented_in_the_shipped_config() -> None:
    from monitor.config import _SECTIONS

    shipped = (Path(__file__).resolve().parent.parent / "config" / "monitor.toml").read_text()
    for section in _SECTIONS:
        assert f"[{section}]" in shipped, f"config/monitor.toml lacks [{section}]"
