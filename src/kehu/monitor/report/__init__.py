"""Periodic review-meeting reports: data (`data`), charts, and HTML / XLSX / PDF writers."""
