"""Progress log for a long torch.onnx export (PyTorch 1.13): where the time goes, without a profiler.

The official fused-step export spent more than 20 CPU-minutes inside PyTorch's TorchScript-to-ONNX
conversion on this machine with no sign of progress. This module makes such a run observable:

- every exporter phase named in PHASES logs its start and end with wall and CPU time and the process's
  resident memory;
- the conversion's per-node Python callback (`_run_symbolic_function`, called once per TorchScript node)
  is counted, and every `every` nodes a line gives the node count, the interval's rate and the size of
  the `env` map PyTorch hands to each call (it is copied into a Python dict on every call, so a growing
  env makes the conversion quadratic in the node count);
- `faulthandler` writes the Python stack of every thread into the same log every `stack_every` seconds.

Nothing here changes what is exported: each wrapper calls the original with the same arguments.
Usage: `export_watch.install("/tmp/x/export.log")` before calling the exporter.
"""
import faulthandler
import os
import time

PHASES = [  # (module attribute path, name) of the exporter's steps, in the order they run
    ("utils", "_create_jit_graph"),
    ("utils", "_optimize_graph"),
    ("C", "_jit_pass_onnx"),
    ("C", "_jit_pass_onnx_scalar_type_analysis"),
    ("C", "_jit_pass_onnx_peephole"),
    ("C", "_jit_pass_onnx_eval_peephole"),
    ("C", "_jit_pass_onnx_constant_fold"),
    ("C", "_jit_pass_onnx_graph_shape_type_inference"),
    ("C", "_jit_pass_onnx_deduplicate_initializers"),
    ("C", "_check_onnx_proto"),
]


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1 << 20)


def _count_nodes(block):
    n = 0
    for node in block.nodes():
        n += 1
        for sub in node.blocks():
            n += _count_nodes(sub)
    return n


class Watch:
    """Holds the log file and the counters; `say` writes one time-stamped line."""

    def __init__(self, path, every):
        self.log = open(path, "a", buffering=1)
        self.every = every
        self.t0 = time.time()
        self.nodes = 0
        self.last = (time.time(), time.process_time())

    def say(self, msg):
        now = time.time()
        self.log.write(f"{time.strftime('%H:%M:%S', time.gmtime(now))}Z wall {now - self.t0:8.1f}s "
                       f"cpu {time.process_time():8.1f}s rss {_rss_mb():6d}MB  {msg}\n")


def install(path, every=1000, stack_every=300):
    """Wraps the exporter's phases and per-node callback; returns the Watch (its `say` is free to use)."""
    import torch
    import torch.onnx
    import torch.onnx.utils as utils

    w = Watch(path, every)
    faulthandler.dump_traceback_later(stack_every, repeat=True, file=w.log)
    owners = {"utils": utils, "C": torch._C}
    for owner_name, name in PHASES:
        owner = owners[owner_name]
        original = getattr(owner, name, None)
        if original is None:
            w.say(f"(no {name} in this PyTorch)")
            continue
        setattr(owner, name, _timed(w, name, original))

    original_symbolic = utils._run_symbolic_function

    def counted(graph, block, node, inputs, env, *rest, **kw):
        w.nodes += 1
        if w.nodes % w.every == 0:
            now = (time.time(), time.process_time())
            dt, dc = now[0] - w.last[0], now[1] - w.last[1]
            w.say(f"converted {w.nodes} nodes; last {w.every} in {dt:.1f}s wall / {dc:.1f}s cpu; "
                  f"env {len(env)}; now {node.kind()}")
            w.last = now
        return original_symbolic(graph, block, node, inputs, env, *rest, **kw)

    utils._run_symbolic_function = counted
    torch.onnx._run_symbolic_function = counted
    w.say(f"watch installed (pid {os.getpid()}, torch {torch.__version__})")
    return w


def _timed(w, name, original):
    def wrapper(*args, **kwargs):
        detail = ""
        if args and isinstance(args[0], torch_graph_type()):
            detail = f" on {_count_nodes(args[0])} nodes"
        w.say(f"start {name}{detail}")
        w.last = (time.time(), time.process_time())
        result = original(*args, **kwargs)
        w.say(f"end   {name}" + (f" ({w.nodes} nodes converted so far)" if name == "_jit_pass_onnx" else ""))
        return result
    return wrapper


def torch_graph_type():
    import torch
    return torch._C.Graph
