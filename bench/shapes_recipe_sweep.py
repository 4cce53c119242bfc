"""Recipe sweep for the quickstart's accuracy bar, in plain PyTorch (reference only: vlm4j never needs Python).

Trains a replica of clip-tiny (conv stem 32-64-128, 3+3 layers of width 128, OpenCLIP init scales, InfoNCE with a
learned clamped logit scale, AdamW 0.9/0.98, warmup + cosine, clipping at 1) on a Shapes folder dumped by
org.vlm4j.bench.ShapesDump, and reports zero-shot top-1 ("a large {}", 48 classes) on val and heldout. Variants
change one thing each (caption mix, hard negatives, steps, batch, data size, width), so that the recipe that reaches
the bar can be ported to the Java quickstart and then measured there. Runs several configs in parallel processes
(on a GPU when there is one).

  python3 bench/shapes_recipe_sweep.py --data DUMP_DIR [--only NAME,...] [--jobs 8] [--out results.jsonl]
"""
import argparse, gzip, json, math, multiprocessing as mp, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)


class Block(nn.Module):
    def __init__(self, d, heads, depth):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.heads = heads
        for m, std in ((self.qkv, d ** -0.5), (self.proj, d ** -0.5 * (2 * depth) ** -0.5),
                       (self.fc1, (2 * d) ** -0.5), (self.fc2, d ** -0.5 * (2 * depth) ** -0.5)):
            nn.init.normal_(m.weight, std=std)
            nn.init.zeros_(m.bias)

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


class StemLayer(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 2, 1, bias=False)
        nn.init.normal_(self.conv.weight, std=math.sqrt(2.0 / (9 * cin)))
        self.norm = nn.LayerNorm(cout)

    def forward(self, x):
        return F.gelu(self.norm(self.conv(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2))


class Clip(nn.Module):
    def __init__(self, c, vocab, context):
        super().__init__()
        w, depth, stem = c["width"], c["depth"], c["stem"]
        self.stem = nn.Sequential(*[StemLayer(a, b) for a, b in zip([3] + stem[:-1], stem)])
        self.patch = nn.Conv2d(stem[-1], w, 1, 1, bias=False)
        g = c["image"] // 2 ** len(stem)
        self.cls = nn.Parameter(torch.randn(w) * w ** -0.5)
        self.vpos = nn.Parameter(torch.randn(g * g + 1, w) * w ** -0.5)
        self.ln_pre, self.ln_post = nn.LayerNorm(w), nn.LayerNorm(w)
        self.vblocks = nn.ModuleList([Block(w, 4, depth) for _ in range(depth)])
        self.vproj = nn.Linear(w, w, bias=False)
        nn.init.normal_(self.vproj.weight, std=w ** -0.5)
        self.tok = nn.Embedding(vocab, w)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.tpos = nn.Parameter(torch.randn(context, w) * 0.01)
        self.tblocks = nn.ModuleList([Block(w, 4, c["tdepth"]) for _ in range(c["tdepth"])])
        self.ln_final = nn.LayerNorm(w)
        self.tproj = nn.Linear(w, w, bias=False)
        nn.init.normal_(self.tproj.weight, std=w ** -0.5)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("causal", torch.full((context, context), float("-inf")).triu(1))

    def image(self, px):
        x = self.patch(self.stem(px)).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.vpos
        x = self.ln_pre(x)
        for b in self.vblocks:
            x = b(x)
        return F.normalize(self.vproj(self.ln_post(x)[:, 0]), dim=-1)

    def text(self, ids):
        x = self.tok(ids) + self.tpos
        for b in self.tblocks:
            x = b(x, self.causal)
        x = self.ln_final(x)
        return F.normalize(self.tproj(x[torch.arange(ids.shape[0]), ids.argmax(-1)]), dim=-1)


def load(d, split, dev):
    meta = json.load(open(os.path.join(d, "meta.json")))
    raw = np.frombuffer(gzip.open(os.path.join(d, split + ".u8.gz")).read(), dtype=np.uint8)
    n = raw.size // (64 * 64 * 3)
    px = torch.from_numpy(raw.reshape(n, 64, 64, 3).copy()).to(dev)
    ids = {}
    for v in ("full", "neg", "short", "shortneg", "colneg", "shortcolneg"):
        a = np.fromfile(os.path.join(d, f"{split}.{v}.i32"), dtype="<i4").reshape(n, meta["context"])
        ids[v] = torch.from_numpy(a.astype(np.int64)).to(dev)
    label = torch.from_numpy(np.fromfile(os.path.join(d, f"{split}.label.i32"), dtype="<i4").astype(np.int64)).to(dev)
    return meta, px, ids, label


def pixels(u8, dev):
    x = u8.permute(0, 3, 1, 2).float() / 255.0
    return (x - MEAN.to(dev)) / STD.to(dev)


def run(c, data, dev):
    torch.manual_seed(c["seed"])
    g = torch.Generator(device="cpu").manual_seed(c["seed"])
    meta, px, ids, _ = load(data, "train", dev)
    n = px.shape[0]
    model = Clip(c, meta["vocab"], meta["context"]).to(dev)
    decay = [p for nm, p in model.named_parameters() if p.ndim >= 2 and nm != "tok.weight"]
    other = [p for nm, p in model.named_parameters() if not (p.ndim >= 2 and nm != "tok.weight")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": c["wd"]}, {"params": other, "weight_decay": 0.0}],
                            lr=c["lr"], betas=(0.9, 0.98), eps=1e-6)
    steps, b = c["steps"], c["batch"]
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm
                                              else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm))))
    # fixed-per-scene short captions: a deterministic subset of scenes carries "a large red circle" only
    fixed_short = torch.rand(n, generator=g) < c["short_fixed"]
    order, pos = torch.randperm(n, generator=g), 0
    t0, losses = time.time(), []
    for step in range(steps):
        if pos + b > n:
            order, pos = torch.randperm(n, generator=g), 0
        idx = order[pos:pos + b]
        pos += b
        short = fixed_short[idx] | (torch.rand(b, generator=g) < c["short_mix"])
        s = short.to(dev).unsqueeze(1)
        i_d = idx.to(dev)
        text = torch.where(s, ids["short"][i_d], ids["full"][i_d])
        negs = []
        if "shape" in c["neg"]:
            negs.append(torch.where(s, ids["shortneg"][i_d], ids["neg"][i_d]))
        if "color" in c["neg"]:
            negs.append(torch.where(s, ids["shortcolneg"][i_d], ids["colneg"][i_d]))
        x = pixels(px[i_d], dev)
        img = model.image(x)
        txt = model.text(torch.cat([text] + negs, 0))
        scale = model.logit_scale.exp().clamp(max=100)
        logits = scale * img @ txt.T  # [b, b*(1+negs)]
        y = torch.arange(b, device=dev)
        loss = (F.cross_entropy(logits, y) + F.cross_entropy(logits[:, :b].T, y)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        losses.append(loss.item())
    train_s = time.time() - t0
    model.eval()
    res = {"name": c["name"], "final_loss": float(np.mean(losses[-50:])), "train_seconds": round(train_s, 1)}
    with torch.no_grad():
        prompts = {}
        for size in ("large", "small"):
            a = np.fromfile(os.path.join(data, f"prompts.{size}.i32"), dtype="<i4").reshape(-1, meta["context"])
            prompts[size] = model.text(torch.from_numpy(a.astype(np.int64)).to(dev))
        ens = F.normalize(prompts["large"] + prompts["small"], dim=-1)
        for split in ("val", "heldout"):
            _, spx, _, lab = load(data, split, dev)
            emb = torch.cat([model.image(pixels(spx[k:k + 256], dev)) for k in range(0, spx.shape[0], 256)])
            res[split + "_top1"] = round(((emb @ prompts["large"].T).argmax(1) == lab).float().mean().item(), 4)
            res[split + "_top1_ens"] = round(((emb @ ens.T).argmax(1) == lab).float().mean().item(), 4)
    res["config"] = c
    return res


BASE = dict(seed=0, steps=1400, batch=64, lr=2e-3, wd=0.1, width=128, depth=3, tdepth=3, stem=[32, 64, 128], image=64,
            neg="shape", short_mix=0.0, short_fixed=0.0, data="d12")


def variants():
    v = {}

    def add(name, **kw):
        c = dict(BASE)
        c.update(kw)
        c["name"] = name
        v[name] = c

    add("base")
    add("base_s1", seed=1)
    add("noneg", neg="")
    add("neg_shape_color", neg="shape,color")
    add("mix25", short_mix=0.25)
    add("mix50", short_mix=0.5)
    add("mix25_negsc", short_mix=0.25, neg="shape,color")
    add("mix50_negsc", short_mix=0.5, neg="shape,color")
    add("fixed25_negsc", short_fixed=0.25, neg="shape,color")
    add("fixed33_negsc", short_fixed=0.33, neg="shape,color")
    add("data36", data="d36")
    add("data36_mix25_negsc", data="d36", short_mix=0.25, neg="shape,color")
    add("data36_fixed25_negsc", data="d36", short_fixed=0.25, neg="shape,color")
    add("steps2800", steps=2800)
    add("steps2800_mix25_negsc", steps=2800, short_mix=0.25, neg="shape,color")
    add("steps5600_mix25_negsc", steps=5600, short_mix=0.25, neg="shape,color")
    add("lr1e-3_mix25_negsc", lr=1e-3, short_mix=0.25, neg="shape,color")
    add("lr3e-3_mix25_negsc", lr=3e-3, short_mix=0.25, neg="shape,color")
    add("wd0.2_mix25_negsc", wd=0.2, short_mix=0.25, neg="shape,color")
    add("batch128_700_mix25_negsc", batch=128, steps=700, short_mix=0.25, neg="shape,color")
    add("batch32_2800_mix25_negsc", batch=32, steps=2800, short_mix=0.25, neg="shape,color")
    add("w96_mix25_negsc", width=96, short_mix=0.25, neg="shape,color")
    add("depth2_mix25_negsc", depth=2, tdepth=2, short_mix=0.25, neg="shape,color")
    add("stem4_mix25_negsc", stem=[32, 64, 128, 128], short_mix=0.25, neg="shape,color")
    add("mix25_negsc_s1", short_mix=0.25, neg="shape,color", seed=1)
    add("mix25_negsc_s2", short_mix=0.25, neg="shape,color", seed=2)
    # round 2: around the winner of round 1 (mix50: half the captions name the first shape alone)
    add("mix50_s1", short_mix=0.5, seed=1)
    add("mix50_s2", short_mix=0.5, seed=2)
    add("mix60", short_mix=0.6)
    add("mix75", short_mix=0.75)
    add("mix50_steps1000", short_mix=0.5, steps=1000)
    add("mix50_steps1200", short_mix=0.5, steps=1200)
    add("mix50_lr1e-3", short_mix=0.5, lr=1e-3)
    add("mix50_data36", short_mix=0.5, data="d36")
    add("mix50_noneg", short_mix=0.5, neg="")
    add("fixed50", short_fixed=0.5)
    # round 3: seeds of the best of round 2 (more short captions, lower peak lr)
    for mix in (0.6, 0.75):
        for seed in (0, 1, 2):
            add(f"mix{int(mix * 100)}_lr1e-3_s{seed}", short_mix=mix, lr=1e-3, seed=seed)
    for seed in (1, 2):
        add(f"mix50_lr1e-3_s{seed}", short_mix=0.5, lr=1e-3, seed=seed)
        add(f"mix75_s{seed}", short_mix=0.75, seed=seed)
    return v


def worker(args):
    c, root, dev = args
    torch.set_num_threads(max(1, int(os.environ.get("SWEEP_THREADS", "2"))))
    try:
        return run(c, os.path.join(root, c["data"]), dev)
    except Exception as e:  # one failed variant must not lose the others
        return {"name": c["name"], "error": repr(e)}


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--root", required=True, help="folder holding the dumps (d12, d36)")
    a.add_argument("--only", default="")
    a.add_argument("--jobs", type=int, default=4)
    a.add_argument("--out", default="sweep.jsonl")
    a.add_argument("--steps", type=int, default=0, help="override every variant's steps (smoke test)")
    o = a.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    v = variants()
    names = [n for n in o.only.split(",") if n] or list(v)
    cs = []
    for n in names:
        c = dict(v[n])
        if o.steps:
            c["steps"] = o.steps
        if os.path.isdir(os.path.join(o.root, c["data"])):
            cs.append(c)
    print(f"torch {torch.__version__} on {dev}; {len(cs)} variants, {o.jobs} at once", flush=True)
    ctx = mp.get_context("spawn")
    with ctx.Pool(o.jobs) as pool, open(o.out, "a") as f:
        for r in pool.imap_unordered(worker, [(c, o.root, dev) for c in cs]):
            r.pop("config", None) if "error" in r else None
            f.write(json.dumps(r) + "\n")
            f.flush()
            print(json.dumps({k: r[k] for k in r if k != "config"}), flush=True)


if __name__ == "__main__":
    main()
