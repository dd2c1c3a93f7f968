"""What every HTML page geomap writes shares: Leaflet assets and the page shell with its CSP."""
