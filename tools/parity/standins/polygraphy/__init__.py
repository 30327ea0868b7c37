"""Stand-in for NVIDIA polygraphy (TensorRT tooling; not installable here). The official fused-step
export imports it at module level but the ONNX export path never calls it; every name raises if called."""


def _unavailable(*_args, **_kwargs):
    raise RuntimeError("polygraphy stand-in: TensorRT tooling is not part of the CPU parity run")
