"""Exports of the current map view, made on the server without a browser or Streamlit: the map as
a print-resolution PNG and a PDF, the filtered table as CSV, XLSX and GeoJSON, and a one-page
district brief. Every file carries its source and date, and the illustrative mark when relevant."""
