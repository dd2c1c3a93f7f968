"""The QGIS script that lays out an export's project (map and legend) and writes a PNG.

Run by Debian's ``/usr/bin/python3`` (with QGIS) in a subprocess:
``python3 script.py PROJECT.qgs OUT.png [xmin,ymin,xmax,ymax]``; prints ``JSON{...}``.
"""

LAYOUT_SCRIPT = r"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsLayerTreeGroup,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.PyQt.QtGui import QFont

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
root = project.layerTreeRoot()
groups = [
    (g.name(), [lyr.name() for lyr in g.findLayers()])
    for g in root.children()
    if isinstance(g, QgsLayerTreeGroup)
]
layers = {
    lyr.id(): {
        "name": lyr.name(),
        "valid": lyr.isValid(),
        "count": lyr.featureCount(),
        "renderer": lyr.renderer().type() if lyr.renderer() else None,
        "widgets": {
            f.name(): [lyr.editorWidgetSetup(i).type(),
                       [list(m)[0] for m in lyr.editorWidgetSetup(i).config().get("map", [])]]
            for i, f in enumerate(lyr.fields())
            if lyr.editorWidgetSetup(i).type() == "ValueMap"
        },
    }
    for lyr in project.mapLayers().values()
}
order = [lyr.id() for lyr in root.layerOrder()]
layout = QgsPrintLayout(project)
layout.initializeDefaults()  # one A4 landscape page
layout.setName("Skötselkarta")
title = QgsLayoutItemLabel(layout)
title.setText(project.title())
title.setFont(QFont("DejaVu Sans", 14))
title.attemptMove(QgsLayoutPoint(8, 5, QgsUnitTypes.LayoutMillimeters))
title.attemptResize(QgsLayoutSize(200, 10, QgsUnitTypes.LayoutMillimeters))
layout.addLayoutItem(title)
item = QgsLayoutItemMap(layout)
item.attemptMove(QgsLayoutPoint(8, 17, QgsUnitTypes.LayoutMillimeters))
item.attemptResize(QgsLayoutSize(185, 185, QgsUnitTypes.LayoutMillimeters))
zoom = [lyr for lyr in project.mapLayers().values() if lyr.featureCount()]
extent = QgsRectangle()
for lyr in zoom:
    extent.combineExtentWith(lyr.extent())
if len(sys.argv) > 3:  # zoom on one part: "xmin,ymin,xmax,ymax"
    extent = QgsRectangle(*[float(v) for v in sys.argv[3].split(",")])
layout.addLayoutItem(item)  # before zooming: the item needs its size
item.setCrs(project.crs())
side = max(extent.width(), extent.height()) * 1.05  # the map item is square
centre = extent.center()
item.setExtent(QgsRectangle(centre.x() - side / 2, centre.y() - side / 2,
                            centre.x() + side / 2, centre.y() + side / 2))
item.setLayers([project.mapLayer(i) for i in order])
legend = QgsLayoutItemLegend(layout)
legend.setTitle("Teckenförklaring")
legend.setLinkedMap(item)
legend.setAutoUpdateModel(True)
legend.setLegendFilterByMapEnabled(True)
legend.attemptMove(QgsLayoutPoint(198, 17, QgsUnitTypes.LayoutMillimeters))
layout.addLayoutItem(legend)
legend.adjustBoxSize()
exporter = QgsLayoutExporter(layout)
settings = QgsLayoutExporter.ImageExportSettings()
settings.dpi = 110
result = exporter.exportToImage(sys.argv[2], settings)
print(
    "JSON"
    + json.dumps(
        {
            "read": ok,
            "groups": groups,
            "layers": layers,
            "order": order,
            "export": int(result),
            "crs": project.crs().authid(),
            "title": project.title(),
        }
    ),
    flush=True,
)
app.exitQgis()
os._exit(0)
"""
