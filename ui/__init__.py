"""Streamlit glue: widgets, the editor session, caching, map assets and the components the pages use."""
