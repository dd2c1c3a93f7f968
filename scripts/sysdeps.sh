#!/usr/bin/env bash
# Install the Debian packages that geomap's tests drive as real clients:
#   chromium      headless browser for the HTML map tests (driven by Playwright, executable_path)
#   gdal-bin      ogrinfo, to read exported GeoPackages as GDAL sees them
#   python3-qgis  QGIS, headless, to open exported GeoPackages with their default style
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
/usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1 || need+=(python3-qgis qgis-providers)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "geomap: the tests need these Debian packages: ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "geomap: installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
