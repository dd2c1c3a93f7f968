"""The follow-up register (*ärenderegister*): each remark followed until its owner has acted.

Read API (for the lägesbild, the protocols and the evaluation)::

    from geomap.register import open_register
    register = open_register("arenden.gpkg")          # or "postgresql://user@host/db"
    frame = register.remarks_frame()                   # one row per remark, see READ_COLUMNS
    counts = status_table(register)                    # per owner: open, overdue, fixed …

``remarks_frame()`` has ``remark_id``, ``owner``, ``category``, ``status`` (code),
``status_label`` (Swedish), ``open``, ``updated_at``, ``due_date``, ``overdue`` and
``duplicate_of`` among its columns (:data:`READ_COLUMNS`). Statuses, their Swedish labels and
their open/closed mapping are defined once, in :mod:`geomap.register.statuses`.

Changes: :func:`ingest` (a ``routed.gpkg``), :func:`write_lists` (per-owner XLSX/CSV with the
follow-up columns), :func:`apply_list` (a returned list), :func:`reassign`, :func:`unlink`;
:func:`export_open311` writes the Open311 GeoReport v2 files.
"""

from geomap.register.ingest import IngestResult, ingest
from geomap.register.lists import write_lists
from geomap.register.open311 import export_open311
from geomap.register.overview import format_status_table, status_table
from geomap.register.privacy import DEFAULT_POLICY, PrivacyPolicy, load_privacy
from geomap.register.redact import redact, redact_series
from geomap.register.register import READ_COLUMNS, Register, open_register
from geomap.register.statuses import OPEN311_STATUS, STATUS_LABELS, STATUSES, is_open
from geomap.register.update import UpdateResult, apply_list, reassign, unlink

__all__ = [
    "DEFAULT_POLICY",
    "OPEN311_STATUS",
    "READ_COLUMNS",
    "STATUSES",
    "STATUS_LABELS",
    "IngestResult",
    "PrivacyPolicy",
    "Register",
    "UpdateResult",
    "apply_list",
    "export_open311",
    "format_status_table",
    "ingest",
    "is_open",
    "load_privacy",
    "open_register",
    "reassign",
    "redact",
    "redact_series",
    "status_table",
    "unlink",
    "write_lists",
]
