"""See polygraphy/__init__.py."""
