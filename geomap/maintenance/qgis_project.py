"""A QGIS project (``.qgs``) beside the export GeoPackage: Swedish layer names and legend groups.

Opening ``skotselprodukter.gpkg`` directly shows the table names (``skotsel_yta`` …); the project
shows the layers as *Skötselytor*, *Skötsellinjer* … in the legend groups *Ytor*, *Linjer* and
*Punkter*, each with the shared symbology (the same renderer as the QML), points drawn on top.
Paths are relative, so the export directory can be moved or zipped as a whole.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from pyproj import CRS

from geomap.core.crs import WORKING_CRS

from .styles import INVASIVE_LAYERS, LAYER_GEOMETRY, qml_style
from .vocabulary import Vocabulary

__all__ = ["LEGEND_GROUPS", "qgis_project"]

#: Legend group of each geometry type, in legend order.
LEGEND_GROUPS = {"polygon": "Ytor", "line": "Linjer", "point": "Punkter"}
_GEOMETRY = {"polygon": "Polygon", "line": "Line", "point": "Point"}
_DRAW_ORDER = ("point", "line", "polygon")  # top first


def _srs(parent: ET.Element) -> None:
    crs = CRS.from_user_input(WORKING_CRS)
    ref = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(ref, "wkt").text = crs.to_wkt()
    ET.SubElement(ref, "authid").text = WORKING_CRS
    ET.SubElement(ref, "description").text = crs.name
    ET.SubElement(ref, "projectionacronym").text = "tmerc"
    ET.SubElement(ref, "ellipsoidacronym").text = "EPSG:7019"
    ET.SubElement(ref, "geographicflag").text = "false"


def _map_layer(
    parent: ET.Element, name: str, label: str, source: str, vocabulary: Vocabulary
) -> None:
    geometry = LAYER_GEOMETRY[name]
    layer = ET.SubElement(
        parent, "maplayer", type="vector", geometry=_GEOMETRY[geometry], autoRefreshEnabled="0"
    )
    ET.SubElement(layer, "id").text = name
    ET.SubElement(layer, "datasource").text = source
    ET.SubElement(layer, "layername").text = label
    _srs(ET.SubElement(layer, "srs"))
    ET.SubElement(layer, "provider", encoding="UTF-8").text = "ogr"
    style = ET.fromstring(qml_style(vocabulary, name).split("\n", 1)[1])
    for child in style:
        if isinstance(child.tag, str):  # skip the comment
            layer.append(child)


def _layer_tree(root: ET.Element, layers: Mapping[str, str], sources: Mapping[str, str]) -> None:
    """Append the legend: one group per geometry (``LEGEND_GROUPS``) and the drawing order."""
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for geometry, group_name in LEGEND_GROUPS.items():
        members = [n for n in layers if LAYER_GEOMETRY[n] == geometry]
        if not members:
            continue
        group = ET.SubElement(
            tree, "layer-tree-group", name=group_name, checked="Qt::Checked", expanded="1"
        )
        ET.SubElement(group, "customproperties")
        for name in members:
            node = ET.SubElement(
                group,
                "layer-tree-layer",
                id=name,
                name=layers[name],
                source=sources[name],
                providerKey="ogr",
                checked="Qt::Checked",
                expanded="1",
            )
            ET.SubElement(node, "customproperties")
    order = ET.SubElement(tree, "custom-order", enabled="1")
    for geometry in _DRAW_ORDER:  # invasive findings over the maintenance surfaces
        for name in sorted(layers, key=lambda n: n not in INVASIVE_LAYERS):
            if LAYER_GEOMETRY[name] == geometry:
                ET.SubElement(order, "item").text = name


def _properties(properties: ET.Element) -> None:
    """Fill the project's ``properties``: relative paths, projections enabled."""
    paths = ET.SubElement(properties, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    srs = ET.SubElement(properties, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", type="int").text = "1"


def qgis_project(
    layers: Mapping[str, str],
    vocabulary: Vocabulary,
    *,
    gpkg_name: str,
    title: str,
) -> str:
    """Return a QGIS project with ``layers`` (export layer → Swedish name) of ``gpkg_name``.

    Parameters
    ----------
    layers : mapping of str to str
        Export layers (keys of :data:`~geomap.maintenance.styles.LAYER_GEOMETRY`) and their names.
    vocabulary : Vocabulary
        Source of the symbology.
    gpkg_name : str
        The GeoPackage's file name, beside the project.
    title : str
        Project title.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> qgs = qgis_project({"skotsel_yta": "Skötselytor"}, load_vocabulary(),
    ...                    gpkg_name="s.gpkg", title="Test")
    >>> '<layer-tree-group name="Ytor"' in qgs, "./s.gpkg|layername=skotsel_yta" in qgs
    (True, True)
    """
    root = ET.Element("qgis", projectname=title, version="3.22.0-Białowieża")
    root.append(ET.Comment(f" geomap: vokabulär {vocabulary.version}; generated, do not edit "))
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"))
    sources = {name: f"./{gpkg_name}|layername={name}" for name in layers}
    _layer_tree(root, layers, sources)
    project_layers = ET.SubElement(root, "projectlayers")
    for name, label in layers.items():
        _map_layer(project_layers, name, label, sources[name], vocabulary)
    _properties(ET.SubElement(root, "properties"))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"
