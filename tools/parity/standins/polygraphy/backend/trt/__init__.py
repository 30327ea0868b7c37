"""See polygraphy/__init__.py: `Profile` is only used to build the TensorRT profile."""
from polygraphy import _unavailable

Profile = _unavailable
CreateConfig = _unavailable
engine_from_network = _unavailable
network_from_onnx_path = _unavailable
save_engine = _unavailable
