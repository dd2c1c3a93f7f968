"""The privacy policy: what external owners and the Open311 export do not get.

A policy (TOML, ``data/privacy.toml``) names categories withheld from external owners (owners
marked ``external = true`` in the registry: private owners, the state, contractors) and the
kinds of personal data redacted from free text going to them and to Open311
(:mod:`geomap.register.redact`)::

    [privacy]
    withheld_categories = ["hot_mot_personal"]   # codes, labels or aliases
    redact = ["personnummer", "telefon", "epost", "regnummer"]

Without a file the default policy is the same as ``data/privacy.toml``.

Examples
--------
>>> DEFAULT_POLICY.withheld_categories, DEFAULT_POLICY.redact
(('hot_mot_personal',), ('epost', 'personnummer', 'telefon', 'regnummer'))
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from geomap.core.categories import load_categories
from geomap.errors import ConfigError
from geomap.io.tomlfile import ConfigEntry, load_toml, shown, sub_table, warn_unknown_entries
from geomap.register.redact import KINDS

__all__ = ["DEFAULT_POLICY", "PrivacyPolicy", "load_privacy"]


@dataclass(frozen=True)
class PrivacyPolicy:
    """Categories withheld from external owners and the kinds of personal data redacted."""

    withheld_categories: tuple[str, ...] = ("hot_mot_personal",)
    redact: tuple[str, ...] = KINDS
    source: str = "default"


#: The policy used when none is given (the same as ``data/privacy.toml``).
DEFAULT_POLICY = PrivacyPolicy()


def load_privacy(path: str | os.PathLike[str] | None = None) -> PrivacyPolicy:
    r"""Load a privacy policy from TOML (:data:`DEFAULT_POLICY` when ``path`` is None).

    Raises
    ------
    ConfigError
        An unknown category or kind of personal data, or a value of the wrong type; the message
        names the file, the key and what is allowed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "privacy.toml"
    >>> _ = p.write_text('[privacy]\nwithheld_categories = ["Hot mot personal", "narkotika"]\n')
    >>> load_privacy(p).withheld_categories
    ('hot_mot_personal', 'narkotika')
    """
    if path is None:
        return DEFAULT_POLICY
    where = str(path)
    data = load_toml(path, what="privacy policy", argument="privacy")
    warn_unknown_entries(data, {"privacy": "[privacy]"}, where=where, what="a privacy policy")
    entry = ConfigEntry(sub_table(data, "privacy", where=where), where=where, label="[privacy]")
    entry.warn_unknown(("withheld_categories", "redact"))
    vocabulary = load_categories()
    withheld = []
    for name in entry.texts("withheld_categories"):
        category = vocabulary.find(name)
        if category is None:
            msg = (
                f"{where}: [privacy]: withheld_categories names {shown(name)}, which is no "
                f"category; use codes of 'geomap categories': {', '.join(vocabulary.codes())}"
            )
            raise ConfigError(msg)
        withheld.append(category.code)
    kinds = entry.texts("redact") if "redact" in entry.values else KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        msg = (
            f"{where}: [privacy]: redact names {', '.join(map(shown, unknown))}; "
            f"the kinds are {', '.join(KINDS)}"
        )
        raise ConfigError(msg)
    return PrivacyPolicy(
        withheld_categories=tuple(dict.fromkeys(withheld)),
        redact=tuple(k for k in KINDS if k in kinds),
        source=where,
    )
