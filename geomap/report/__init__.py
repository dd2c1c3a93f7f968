"""Reports in Swedish: one document model written as offline HTML, tagged PDF and XLSX."""
