"""Shared-terminology maintenance layers (skötselprodukter): validate, translate, style, export.

Each owner keeps its own layer and local codes; a crosswalk per owner maps them to the shared
vocabulary (``layers/vokabular.toml``), from which QGIS styles, SLD, the HTML map, its legend
and the quantity list are all generated.

Examples
--------
>>> from geomap.maintenance import load_vocabulary, load_owner
>>> load_vocabulary().version, load_owner("huddinge_kommun").crosswalk.lookup("HÄCK")
('2026.2', 'H1')
"""

from __future__ import annotations

from geomap.core.crs import WORKING_CRS

from .crosswalk import (
    Crosswalk,
    OwnerProfile,
    UnknownOwnerError,
    known_owners,
    load_crosswalk,
    load_owner,
)
from .export import ExportInput, ExportResult, export_layers, load_shared_layer
from .gpkg_styles import write_layer_styles
from .htmlmap import render_map
from .invasive import check_findings, yearly_comparison
from .qgis_project import qgis_project
from .quantities import (
    Schedule,
    compute_quantities,
    feature_pieces,
    load_districts,
    quantity_rows,
    totals_by_unit,
)
from .reader import MaintenanceLayer, read_layer
from .styles import LAYER_GEOMETRY, qml_style, sld_style
from .symbols import symbol_conflicts
from .translate import TranslationResult, ValidationFailedError, translate_layer, write_translated
from .validate import Finding, ValidationReport, validate_layer
from .vocabulary import Product, Vocabulary, load_vocabulary

__all__ = [
    "LAYER_GEOMETRY",
    "WORKING_CRS",
    "Crosswalk",
    "ExportInput",
    "ExportResult",
    "Finding",
    "MaintenanceLayer",
    "OwnerProfile",
    "Product",
    "Schedule",
    "TranslationResult",
    "UnknownOwnerError",
    "ValidationFailedError",
    "ValidationReport",
    "Vocabulary",
    "check_findings",
    "compute_quantities",
    "export_layers",
    "feature_pieces",
    "known_owners",
    "load_crosswalk",
    "load_districts",
    "load_owner",
    "load_shared_layer",
    "load_vocabulary",
    "qgis_project",
    "qml_style",
    "quantity_rows",
    "read_layer",
    "render_map",
    "sld_style",
    "symbol_conflicts",
    "totals_by_unit",
    "translate_layer",
    "validate_layer",
    "write_layer_styles",
    "write_translated",
    "yearly_comparison",
]
