"""Reading the TOML configuration files (owner registry, rules, category vocabulary)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from geomap.errors import ConfigError

__all__ = ["load_toml"]


def load_toml(path: str | os.PathLike[str], *, what: str, argument: str) -> dict[str, Any]:
    """Parse the TOML file at ``path``; errors name the file, what it is and the argument to check.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.toml"
    >>> _ = p.write_text('version = "1"')
    >>> load_toml(p, what="rules file", argument="rules")
    {'version': '1'}
    """
    try:
        return tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        msg = f"{path}: cannot read the {what} ({exc.strerror}); check `{argument}`"
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: the {what} is not valid TOML ({exc})"
        raise ConfigError(msg) from None
