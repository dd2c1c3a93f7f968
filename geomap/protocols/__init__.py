"""Safety-walk protocols (*trygghetsvandringar*): one per walk, and one per owner to send on.

Python API::

    from geomap.protocols import build_protocols, write_protocols, write_template
    paths = write_protocols("out/demo/routed.gpkg", "out/demo/protokoll")    # every walk
    write_template("mall.xlsx")                                              # fill-in template

:func:`build_protocols` returns the documents (:class:`geomap.report.Report`) without writing;
:func:`write_protocols` writes each as HTML and tagged PDF into one atomic folder;
:func:`read_walks` reads a walk table (date, start time, place, organiser, organisations).
"""

from geomap.protocols.build import WalkProtocol, build_protocols, protocol_stem
from geomap.protocols.rows import NOT_IN_REGISTER, is_positive, protocol_rows
from geomap.protocols.template import TEMPLATE_COLUMNS, write_template
from geomap.protocols.walks import WALKS_LAYER, read_walks, walk_metadata
from geomap.protocols.write import write_protocols

__all__ = [
    "NOT_IN_REGISTER",
    "TEMPLATE_COLUMNS",
    "WALKS_LAYER",
    "WalkProtocol",
    "build_protocols",
    "is_positive",
    "protocol_rows",
    "protocol_stem",
    "read_walks",
    "walk_metadata",
    "write_protocols",
    "write_template",
]
