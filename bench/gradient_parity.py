"""The PyTorch half of bench/gradient-parity.sh: loads the model directory and the batch that GradientDump wrote
into the plain-PyTorch replica (bench/pytorch_clip_train.py), runs one forward + backward, and compares the loss
and every parameter's gradient norm with vlm4j's. Reference only."""
import json, os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_clip_train import Clip, load_vlm4j, vlm4j_name

d = sys.argv[1]
j = json.load(open(os.path.join(d, "java.json")))
cfg = json.load(open(os.path.join(d, "model/config.json")))
v, t = cfg["vision"], cfg["text"]
model = Clip(v["image_size"], v["patch_size"], v["width"], v["layers"], v["heads"], t["vocab_size"],
             t["context_length"], cfg["embed_dim"])
load_vlm4j(model, os.path.join(d, "model/model.safetensors"))
n, s = j["batch"], j["image_size"]
px = torch.from_numpy(np.fromfile(os.path.join(d, "pixels.f32"), np.float32).reshape(n, 3, s, s).copy())
ids = torch.from_numpy(np.fromfile(os.path.join(d, "ids.i64"), np.int64).reshape(n, j["context"]).copy())
loss = model.loss(px, ids)
loss.backward()
worst = 0.0
names = {vlm4j_name(k): k for k in j["grad_norms"]}
for name, p in model.named_parameters():
    ours = j["grad_norms"][names[name]]
    theirs = p.grad.norm().item()
    worst = max(worst, abs(ours - theirs) / max(abs(theirs), 1e-12))
print(json.dumps({"vlm4j_loss": j["loss"], "pytorch_loss": loss.item(), "parameters": len(j["grad_norms"]),
                  "max_relative_grad_norm_diff": worst}))
