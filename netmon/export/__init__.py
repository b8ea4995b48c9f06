"""Exports: report renderers (report/) and, later, the Prometheus collector and HTTP server."""
