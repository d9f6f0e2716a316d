"""The app's pages: each reads widgets and the URL, calls views and services, and renders."""
