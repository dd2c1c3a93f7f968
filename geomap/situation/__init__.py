"""The lägesbild: weekly, tertial and two-yearly pictures of the remarks, per district and owner.

:func:`build_lagesbild` reads routed runs (``routed.gpkg``) and returns a
:class:`geomap.report.Report`; :func:`write_lagesbild` writes it as ``lagesbild.html``,
``lagesbild.pdf`` and ``lagesbild.xlsx``. Sections: summary, counts and changes (category,
district, owner; previous period, mean of the last 8, a year earlier, Poisson flags), when
(weekday × hour, months, daylight), where (Gi* hot spots with FDR classes, kernel density, PAI,
new/persistent/gone for weeks, map), places and owners (top places, remarks to check) and, with a
register, follow-up per owner.
"""

from geomap.situation.build import build_lagesbild, write_lagesbild

__all__ = ["build_lagesbild", "write_lagesbild"]
