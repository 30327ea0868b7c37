"""See polygraphy/__init__.py."""
from polygraphy import _unavailable

fold_constants = _unavailable
