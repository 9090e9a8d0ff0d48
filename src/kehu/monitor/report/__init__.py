"""Periodic review-meeting reports: data (`build`), charts, and HTML / XLSX / PDF writers."""
