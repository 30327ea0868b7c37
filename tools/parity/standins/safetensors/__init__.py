"""Stand-in for the compiled `safetensors` package (not installable here).

The parity harness writes and reads every random weight as a plain `torch.save` file, so the
official code's safetensors path is never taken. Importing works; calling anything fails loudly,
so a run that does reach it cannot silently produce numbers.
"""
__version__ = "0.0.0-parity-standin"


def _unavailable(*_args, **_kwargs):
    raise RuntimeError("safetensors stand-in: the parity harness never loads .safetensors files")


safe_open = _unavailable
