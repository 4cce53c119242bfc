"""Reference CLIP training in plain PyTorch: the same architecture, loss and optimiser as vlm4j's Clip + Trainer
(pre-LN ViT with class token and ln_pre, causal text transformer with argmax (EOT) pooling, symmetric InfoNCE with a
learned, clamped logit scale, AdamW betas 0.9/0.98 eps 1e-6 with decay on matrices only, linear warmup + cosine,
global-norm clipping at 1). Used by bench/train-throughput.sh (synthetic batches: the training step alone) and to
cross-check learning curves on a dumped dataset (--data DIR with train.u8/train.tok from a Shapes split).
Reference only: vlm4j never needs Python."""
import argparse, json, math, os, re, struct, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, mlp), nn.Linear(mlp, d)
        self.heads = heads

    def forward(self, x, mask=None):
        n, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).reshape(n, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(-2, -1)) / math.sqrt(d // h)
        if mask is not None:
            a = a + mask
        y = (a.softmax(-1) @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Clip(nn.Module):
    def __init__(self, image, patch, width, layers, heads, vocab, context, embed):
        super().__init__()
        g = image // patch
        self.patch = nn.Conv2d(3, width, patch, patch, bias=False)
        self.cls = nn.Parameter(torch.randn(width) * 0.02)
        self.vpos = nn.Parameter(torch.randn(g * g + 1, width) * 0.01)
        self.ln_pre, self.ln_post = nn.LayerNorm(width), nn.LayerNorm(width)
        self.vblocks = nn.ModuleList([Block(width, heads, 4 * width) for _ in range(layers)])
        self.vproj = nn.Linear(width, embed, bias=False)
        self.tok = nn.Embedding(vocab, width)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.tpos = nn.Parameter(torch.randn(context, width) * 0.01)
        self.tblocks = nn.ModuleList([Block(width, heads, 4 * width) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.tproj = nn.Linear(width, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("causal", torch.full((context, context), float("-inf")).triu(1))

    def image(self, px):
        x = self.patch(px).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.vpos
        x = self.ln_pre(x)
        for b in self.vblocks:
            x = b(x)
        return self.vproj(self.ln_post(x)[:, 0])

    def text(self, ids):
        x = self.tok(ids) + self.tpos
        for b in self.tblocks:
            x = b(x, self.causal)
        x = self.ln_final(x)
        return self.tproj(x[torch.arange(ids.shape[0]), ids.argmax(-1)])

    def loss(self, px, ids):
        i = F.normalize(self.image(px), dim=-1)
        t = F.normalize(self.text(ids), dim=-1)
        logits = self.logit_scale.exp() * i @ t.T
        y = torch.arange(px.shape[0])
        return (F.cross_entropy(logits, y) + F.cross_entropy(logits.T, y)) / 2


def vlm4j_name(k):
    """A vlm4j parameter name -> this replica's."""
    k = k.replace("visual.patch_embed.weight", "patch.weight").replace("visual.cls_token", "cls")
    k = k.replace("visual.pos_embed", "vpos").replace("visual.ln_pre", "ln_pre").replace("visual.ln_post", "ln_post")
    k = k.replace("visual.proj.weight", "vproj.weight").replace("text.token_embed", "tok.weight")
    k = k.replace("text.pos_embed", "tpos").replace("text.ln_final", "ln_final").replace("text.proj.weight", "tproj.weight")
    k = re.sub(r"visual\.transformer\.blocks\.", "vblocks.", k)
    k = re.sub(r"text\.transformer\.blocks\.", "tblocks.", k)
    return k.replace("attn.", "").replace("mlp.", "")


def load_vlm4j(model, path):
    """Loads a vlm4j model.safetensors (fp32) into this replica: the same initial weights as a vlm4j run."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    sd = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        sd[vlm4j_name(k)] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype=np.float32).copy().reshape(v["shape"]))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or [m for m in missing if m != "causal"]:
        raise SystemExit(f"{path}: does not fit the replica (missing {missing}, unexpected {unexpected})")


def param_groups(model, wd):
    decay, no = [], []
    for n, p in model.named_parameters():
        (decay if p.ndim >= 2 and n not in ("tok.weight",) else no).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no, "weight_decay": 0.0}]


MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--image", type=int, default=64); a.add_argument("--patch", type=int, default=8)
    a.add_argument("--width", type=int, default=256); a.add_argument("--layers", type=int, default=6)
    a.add_argument("--heads", type=int, default=4); a.add_argument("--context", type=int, default=32)
    a.add_argument("--vocab", type=int, default=49408); a.add_argument("--batch", type=int, default=64)
    a.add_argument("--steps", type=int, default=30); a.add_argument("--warmup-steps", type=int, default=-1)
    a.add_argument("--lr", type=float, default=1e-3); a.add_argument("--wd", type=float, default=0.2)
    a.add_argument("--threads", type=int, default=2); a.add_argument("--seed", type=int, default=0)
    a.add_argument("--data", help="a dumped Shapes split folder (train.u8, train.tok)")
    a.add_argument("--init", help="start from a vlm4j model.safetensors (same architecture)")
    a.add_argument("--skip", type=int, default=5, help="steps left out of the throughput (warm-up)")
    o = a.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    if o.data:
        o.vocab = int(open(os.path.join(o.data, "vocab")).read())
        px = np.fromfile(os.path.join(o.data, "train.u8"), np.uint8).reshape(-1, o.image, o.image, 3)
        tok = np.fromfile(os.path.join(o.data, "train.tok"), np.int32).reshape(-1, o.context)
    model = Clip(o.image, o.patch, o.width, o.layers, o.heads, o.vocab, o.context, o.width)
    if o.init:
        load_vlm4j(model, o.init)
    opt = torch.optim.AdamW(param_groups(model, o.wd), lr=o.lr, betas=(0.9, 0.98), eps=1e-6)
    warm = o.warmup_steps if o.warmup_steps >= 0 else max(1, o.steps // 10)
    sched = lambda s: o.lr * (s + 1) / warm if s < warm else 0.5 * o.lr * (1 + math.cos(math.pi * (s - warm) / max(1, o.steps - warm)))
    rng = np.random.default_rng(o.seed)
    order = rng.permutation(len(px)) if o.data else None
    times, losses = [], []
    for s in range(o.steps):
        if o.data:
            idx = order[(s * o.batch) % len(order):][:o.batch]
            if len(idx) < o.batch:
                order = rng.permutation(len(px)); idx = order[:o.batch]
            x = (torch.from_numpy(px[idx]).permute(0, 3, 1, 2).float() / 255 - MEAN) / STD
            ids = torch.from_numpy(tok[idx].astype(np.int64))
        else:
            x = torch.randn(o.batch, 3, o.image, o.image)
            ids = torch.randint(1, o.vocab - 1, (o.batch, o.context))
            ids[:, 10] = o.vocab - 1
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = sched(s)
        loss = model.loss(x, ids)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        times.append(time.perf_counter() - t0)
        losses.append(loss.item())
        if o.data and (s % 50 == 0 or s == o.steps - 1):
            print(json.dumps({"step": s + 1, "loss": round(loss.item(), 4), "grad_norm": round(gn.item(), 3)}), flush=True)
    steady = times[o.skip:] if len(times) > o.skip else times
    print(json.dumps({"images_per_second": o.batch * len(steady) / sum(steady), "steps": o.steps,
                      "batch": o.batch, "threads": o.threads, "torch": torch.__version__, "final_loss": losses[-1]}))
    if o.data:
        torch.save(model.state_dict(), os.path.join(o.data, "model.pt"))
        evaluate(model, o)


def evaluate(model, o):
    model.eval()
    with torch.no_grad():
        prompts = torch.from_numpy(np.fromfile(os.path.join(o.data, "prompts.tok"), np.int32).reshape(-1, o.context).astype(np.int64))
        t = F.normalize(model.text(prompts), dim=-1).reshape(-1, 2, o.width)
        t = F.normalize(t.mean(1), dim=-1)
        for split in ("val", "heldout"):
            px = np.fromfile(os.path.join(o.data, split + ".u8"), np.uint8).reshape(-1, o.image, o.image, 3)
            lab = np.fromfile(os.path.join(o.data, split + ".lab"), np.int32)
            x = (torch.from_numpy(px).permute(0, 3, 1, 2).float() / 255 - MEAN) / STD
            i = F.normalize(model.image(x), dim=-1)
            pred = (i @ t.T).argmax(-1).numpy()
            print(json.dumps({"split": split, "top1": float((pred == lab).mean())}))


if __name__ == "__main__":
    main()
