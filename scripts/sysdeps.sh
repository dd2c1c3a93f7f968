#!/usr/bin/env bash
# Install the Debian packages geomap needs, when missing (CI and developers run as root).
#   scripts/sysdeps.sh run    what `make demo` needs: WeasyPrint's libraries (Pango, HarfBuzz) and fonts
#   scripts/sysdeps.sh test   also the real clients the tests drive:
#     chromium        headless browser for the HTML map and report tests (Playwright, executable_path)
#     gdal-bin        ogrinfo, to read exported GeoPackages as GDAL sees them
#     python3-qgis    QGIS, headless, to open exported GeoPackages with their default style
#     poppler-utils   pdfinfo, pdftotext, pdftoppm: the PDF reports as a reader sees them
#     postgresql-15-postgis-3  PostgreSQL with PostGIS: the register tests start a throw-away cluster
set -euo pipefail
mode="${1:-test}"
need=()
have_lib() { /sbin/ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "$mode" = test ]; then
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
    /usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1 || need+=(python3-qgis qgis-providers)
    command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need+=(postgresql-15-postgis-3)
fi
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "geomap: these Debian packages are needed: ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "geomap: installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
