"""``--help`` of a command group shows that group's help, not the top-level one."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from geomap.cli import cli


def _groups(command: click.Command, prefix: list[str]) -> list[list[str]]:
    if not isinstance(command, click.Group):
        return []
    found = [prefix] if prefix else []
    for name, sub in command.commands.items():
        found += _groups(sub, [*prefix, name])
    return found


@pytest.mark.parametrize("path", _groups(cli, []), ids=" ".join)
def test_group_help_is_the_groups_own(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="geomap")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: geomap {' '.join(path)} [OPTIONS] COMMAND"), (
        result.output
    )
