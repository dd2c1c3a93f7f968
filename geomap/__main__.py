"""``python -m geomap …`` runs the ``geomap`` command line."""

from geomap.cli import main

if __name__ == "__main__":
    main()
