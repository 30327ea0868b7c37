"""Stand-in for `safetensors.torch` (see the package docstring): every entry point raises."""
from . import _unavailable

load_file = _unavailable
save_file = _unavailable
load = _unavailable
save = _unavailable
