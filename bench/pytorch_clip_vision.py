#!/usr/bin/python3
"""Plain-PyTorch reference for vlm4j's image-embedding benchmark (bench/image-embed.sh).

The same architecture as vlm4j's VisionTransformer (core/src/main/java/org/vlm4j/nn/VisionTransformer.java) with the
configs of ClipPresets.vitB32() / ClipPresets.small(), written as OpenCLIP writes it: conv patch embedding without
bias, class token, learned positional embedding, ln_pre, pre-LN blocks (fused in_proj QKV [3D, D] with bias, out proj,
MLP fc1 -> act -> fc2), ln_post on all tokens, class-token pool, projection without bias, L2 normalisation. fp32,
torch.inference_mode(), torch.set_num_threads(threads). Random weights (values do not change the speed).

Run with the system python that has Debian's python3-torch:
    /usr/bin/python3 bench/pytorch_clip_vision.py vit-b-32 16 15 3
Arguments: preset (vit-b-32 | small), batch, seconds, warm-up iterations; options --threads N (default 2),
--attn manual|mha (manual: q k^T softmax v in explicit ops, as vlm4j; mha: nn.MultiheadAttention, OpenCLIP's module,
which in inference mode may take PyTorch's fused fast path).
Prints one JSON line: {"impl":"pytorch",...}: the median batch time over the iterations that other processes left
alone (at most --foreign-max of the machine used by others, as measured from /proc; all iterations if fewer than 3
were clean, then "clean": false); the loop runs until the clean iterations add up to SECONDS (at most --max-factor
times that).
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ClipPresets (Java) -> vision tower configs.
PRESETS = {
    "vit-b-32": dict(image=224, patch=32, width=768, layers=12, heads=12, mlp=3072, act="quick_gelu", out=512),
    "small": dict(image=64, patch=8, width=256, layers=6, heads=4, mlp=1024, act="gelu", out=256),
}


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """Self-attention with a fused QKV projection (OpenCLIP's in_proj_weight layout: rows q|k|v)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.in_proj = nn.Linear(dim, 3 * dim, bias=True)
        self.out_proj = nn.Linear(dim, dim, bias=True)

    def forward(self, x):
        n, l, d = x.shape
        qkv = self.in_proj(x).reshape(n, l, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        out = attn.softmax(dim=-1) @ v  # [N, H, L, hd]
        return self.out_proj(out.transpose(1, 2).reshape(n, l, d))


class MhaAttention(nn.Module):
    """OpenCLIP's own choice: nn.MultiheadAttention (fused in_proj_weight), batch_first."""

    def __init__(self, dim, heads):
        super().__init__()
        self.mha = nn.MultiheadAttention(dim, heads, batch_first=True)

    def forward(self, x):
        return self.mha(x, x, x, need_weights=False)[0]


class Block(nn.Module):
    def __init__(self, dim, heads, mlp, act, attn):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn = Attention(dim, heads) if attn == "manual" else MhaAttention(dim, heads)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-5)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), QuickGELU() if act == "quick_gelu" else nn.GELU(),
                                 nn.Linear(mlp, dim))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class VisionTransformer(nn.Module):
    def __init__(self, image, patch, width, layers, heads, mlp, act, out, attn="manual"):
        super().__init__()
        grid = image // patch
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.02)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * 0.01)
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.blocks = nn.ModuleList([Block(width, heads, mlp, act, attn) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Linear(width, out, bias=False)
        for name, p in self.named_parameters():
            if p.dim() >= 2 and "positional" not in name:
                nn.init.normal_(p, std=0.02)

    def forward(self, pixels):
        x = self.conv1(pixels)  # [N, D, g, g]
        n, d = x.shape[0], x.shape[1]
        x = x.reshape(n, d, -1).permute(0, 2, 1)  # [N, g*g, D]
        x = torch.cat([self.class_embedding.expand(n, 1, d), x], dim=1)
        x = self.ln_pre(x + self.positional_embedding)
        for b in self.blocks:
            x = b(x)
        x = self.ln_post(x)
        return F.normalize(self.proj(x[:, 0]), dim=-1)


class LoadMonitor:
    """Share of the machine other processes used during an interval: /proc/stat busy ticks minus this process's own
    (/proc/self/stat, all threads), over cores x wall time. The same as the Java side's LoadMonitor."""

    HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    CPUS = os.cpu_count() or 1

    @staticmethod
    def busy():
        try:
            with open("/proc/stat") as f:
                v = f.readline().split()
            return int(v[1]) + int(v[2]) + int(v[3]) + int(v[6]) + int(v[7]) + int(v[8])
        except (OSError, IndexError, ValueError):
            return -1

    @staticmethod
    def own():
        try:
            with open("/proc/self/stat") as f:
                s = f.read()
            v = s[s.rindex(")") + 2:].split()
            return int(v[11]) + int(v[12])
        except (OSError, IndexError, ValueError):
            return 0

    def start(self):
        self.b0, self.o0, self.t0 = self.busy(), self.own(), time.perf_counter()

    def foreign(self):
        b, o, w = self.busy() - self.b0, self.own() - self.o0, time.perf_counter() - self.t0
        if self.b0 < 0 or w <= 0:
            return 0.0
        return max(0.0, (b - o) / self.HZ / (w * self.CPUS))


def blas_info():
    """Which BLAS torch's libblas.so.3 resolved to, and OpenBLAS's core/config if it is OpenBLAS."""
    lib = None
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if "blas" in line or "blis" in line:
                    path = line.split()[-1]
                    if path.endswith(".so") or ".so." in path:
                        lib = path if lib is None or "libblas" not in lib else lib
    except OSError:
        pass
    info = {"blas_lib": lib}
    try:
        h = ctypes.CDLL(None)
        for fn in ("openblas_get_corename", "openblas_get_config"):
            f = getattr(h, fn, None)
            if f is not None:
                f.restype = ctypes.c_char_p
                info[fn.replace("openblas_get_", "openblas_")] = f().decode()
    except OSError:
        pass
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "LD_LIBRARY_PATH"):
        if k in os.environ:
            info[k] = os.environ[k]
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("preset", choices=sorted(PRESETS))
    ap.add_argument("batch", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("warmup", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", choices=["manual", "mha"], default="manual")
    ap.add_argument("--foreign-max", type=float, default=0.10,
                    help="iterations during which other processes used more of the machine are left out (as Java)")
    ap.add_argument("--max-factor", type=float, default=3.0,
                    help="run until the clean iterations add up to SECONDS, at most this many times SECONDS")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="instead of timing, profile N batches with torch.autograd.profiler and print the ops table")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    c = PRESETS[a.preset]
    model = VisionTransformer(attn=a.attn, **c).eval()
    size = c["image"]
    pixels = torch.randn(a.batch, 3, size, size)  # made once, as the Java side
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(pixels).numpy()
        if a.profile:
            with torch.autograd.profiler.profile() as prof:
                for _ in range(a.profile):
                    model(pixels).numpy()
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))
            return 0
        times, foreign = [], []
        mon = LoadMonitor()
        clean = 0.0
        start = time.perf_counter()
        while True:
            mon.start()
            t0 = time.perf_counter()
            out = model(pixels).numpy()  # embeddings as a host array (zero-copy, what a Python caller gets)
            t1 = time.perf_counter()
            times.append(t1 - t0)
            foreign.append(mon.foreign())
            if foreign[-1] <= a.foreign_max:
                clean += times[-1]
            if clean >= a.seconds or t1 - start >= a.seconds * a.max_factor:
                break
    assert out.shape == (a.batch, c["out"])
    clean_times = [t for t, f in zip(times, foreign) if f <= a.foreign_max]
    used = clean_times if len(clean_times) >= 3 else times
    med = statistics.median(used)
    rec = {
        "impl": "pytorch",
        "preset": a.preset,
        "batch": a.batch,
        "images_per_s": round(a.batch / med, 3),
        "ms_per_batch_median": round(med * 1e3, 3),
        "ms_per_batch_min": round(min(used) * 1e3, 3),
        "ms_per_batch_p90": round(sorted(used)[round(0.9 * (len(used) - 1))] * 1e3, 3),
        "iterations": len(times),
        "clean_iterations": len(clean_times),
        "clean": len(clean_times) >= 3,
        "images_per_s_all_iterations": round(a.batch / statistics.median(times), 3),
        "foreign_mean_pct": round(100 * sum(foreign) / len(foreign), 1),
        "attn": a.attn,
        "engine": "torch %s, threads %d, %s" % (torch.__version__, torch.get_num_threads(),
                                                json.dumps(blas_info(), sort_keys=True)),
    }
    print(json.dumps(rec))


if __name__ == "__main__":
    sys.exit(main())
