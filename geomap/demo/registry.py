"""The owner registry (``owners.toml``) and category rules (``rules.toml``) of the demo.

Both are fixed texts (they do not depend on the seed); the names are real organisations, the
contacts are fake (``example.se``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OWNERS", "RULES", "SYNTHETIC_LABEL", "Owner", "Rule", "owners_toml", "rules_toml"]

SYNTHETIC_LABEL = "Syntetiska demodata – inte verkliga fastighetsgränser eller händelser"


@dataclass(frozen=True)
class Owner:
    """One registry entry; ``priority``: lower wins where owner polygons overlap."""

    id: str
    name: str
    contact: str
    colour: str
    priority: int
    service_days: int = 14
    external: bool = False
    category_days: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Rule:
    """A category rule: ``category`` (and ``match`` on the description) goes to ``owner``."""

    category: str
    owner: str
    note: str
    match: str | None = None


# Okabe–Ito palette (colour-blind friendly), grey for private owners.
OWNERS: tuple[Owner, ...] = (
    Owner(
        "huddinge_kommun",
        "Huddinge kommun",
        "parkenheten@example.se",
        "#009E73",
        10,
        category_days=(("klotter", 7),),
    ),
    Owner("huge_bostader", "Huge Bostäder AB", "felanmalan@huge.example.se", "#0072B2", 20, 10),
    Owner(
        "huddinge_samhallsfastigheter",
        "Huddinge Samhällsfastigheter AB",
        "drift@samhallsfastigheter.example.se",
        "#E69F00",
        30,
    ),
    Owner(
        "trafikverket",
        "Trafikverket",
        "region.stockholm@trafikverket.example.se",
        "#D55E00",
        5,
        30,
        external=True,
    ),
    Owner("privat", "Privat fastighetsägare", "bygglov@example.se", "#999999", 90, 30, True),
    Owner(
        "huddinge_kommun_belysning",
        "Huddinge kommun – gatubelysning",
        "gatubelysning@example.se",
        "#F0E442",
        15,
        7,
    ),
    Owner(
        "ellevio", "Ellevio AB (elnät)", "kundservice@ellevio.example.se", "#CC79A7", 40, 14, True
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        "belysning",
        "huddinge_kommun_belysning",
        "Gatubelysningen sköts av kommunens belysningsenhet oavsett markägare.",
    ),
    Rule(
        "klotter",
        "ellevio",
        "Klotter på elskåp och nätstationer sanerar elnätsägaren.",
        "elskåp|elcentral|kopplingsskåp|nätstation",
    ),
    Rule(
        "skadegorelse",
        "ellevio",
        "Skadegörelse på elskåp och nätstationer åtgärdar elnätsägaren.",
        "elskåp|elcentral|kopplingsskåp|nätstation",
    ),
    Rule(
        "skadegorelse",
        "huddinge_kommun_belysning",
        "Skadade belysningsstolpar och armaturer åtgärdar gatubelysningen.",
        "belysningsstolpe|lyktstolpe|gatlykta|armatur",
    ),
)


def _q(text: str) -> str:
    """Return a TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def owners_toml() -> str:
    """Text of ``owners.toml``.

    Examples
    --------
    >>> import tomllib
    >>> tomllib.loads(owners_toml())["meta"]["synthetic"]
    True
    """
    lines = [
        "# Ägarregister för geomaps demodata (SYNTETISKT). Namnen är verkliga organisationer,",
        "# kontaktuppgifterna är påhittade. priority: lägre vinner där ägarpolygoner överlappar.",
        "# external: privata ägare, staten och entreprenörer (får inte undanhållna kategorier);",
        "# service_days: dagar att åtgärda en anmärkning (ärenderegistret), per kategori där det skiljer.",
        "# Skapad av `geomap demo-data`; licens CC0.",
        "",
        "[meta]",
        "synthetic = true",
        f"synthetic_label = {_q(SYNTHETIC_LABEL)}",
    ]
    for o in OWNERS:
        lines += [
            "",
            "[[owner]]",
            f"id = {_q(o.id)}",
            f"name = {_q(o.name)}",
            f"contact = {_q(o.contact)}",
            f"colour = {_q(o.colour)}",
            f"priority = {o.priority}",
            *(["external = true"] if o.external else []),
            f"service_days = {o.service_days}",
        ]
        if o.category_days:
            days = ", ".join(f"{c} = {d}" for c, d in o.category_days)
            lines.append(f"service_days_by_category = {{ {days} }}")
    return "\n".join(lines) + "\n"


def rules_toml() -> str:
    """Text of ``rules.toml``: category rules checked before the spatial join.

    Examples
    --------
    >>> import tomllib
    >>> tomllib.loads(rules_toml())["rule"][0]["owner"]
    'huddinge_kommun_belysning'
    """
    lines = [
        "# Kategoriregler för geomaps demodata: en anmärkning med kategorin `category` (kod ur",
        "# `geomap categories`) och, om `match` finns, en beskrivning som matchar det reguljära",
        "# uttrycket (skiftlägesokänsligt) går till `owner` oavsett var den ligger.",
        "# Skapad av `geomap demo-data`; licens CC0.",
    ]
    for r in RULES:
        lines += ["", "[[rule]]", f"category = {_q(r.category)}"]
        if r.match is not None:
            lines.append(f"match = {_q(r.match)}")
        lines += [f"owner = {_q(r.owner)}", f"note = {_q(r.note)}"]
    return "\n".join(lines) + "\n"
