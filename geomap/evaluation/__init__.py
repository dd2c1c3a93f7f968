"""Before/after evaluation of measures (cameras, lighting, safer places): did the measure work.

:func:`evaluate` reads the measures (SITES) and routed remarks, builds the treatment area R, the
displacement buffer D and the control area C of every site, counts remarks before and after the
installation and computes the measures of :mod:`geomap.stats.beforeafter`;
:func:`write_evaluation` writes the Swedish report (``utvardering.html``, ``.pdf``, ``.xlsx``).
"""

from .document import evaluation_report, write_evaluation
from .pipeline import Evaluation, evaluate

__all__ = ["Evaluation", "evaluate", "evaluation_report", "write_evaluation"]
