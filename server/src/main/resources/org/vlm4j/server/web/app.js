// The vlm4j page: text search, and an image dropped for labels, similar images and (when the model can) a caption.
// Plain browser JavaScript, no build step. Every call goes to the JSON API under /v1.
"use strict";
const $ = (id) => document.getElementById(id);
let capabilities = {};

function apiKey() { return localStorage.getItem("vlm4j-api-key") || ""; }

async function api(path, body) {
  const headers = {};
  if (apiKey()) headers["Authorization"] = "Bearer " + apiKey();
  const init = body === undefined ? { headers } :
    { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const json = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) {
    if (res.status === 401) $("key-box").open = true;
    throw new Error(json.error || ("HTTP " + res.status));
  }
  return json;
}

function thumbnailUrl(path) {
  let url = "/v1/thumbnail?path=" + encodeURIComponent(path);
  if (apiKey()) url += "&key=" + encodeURIComponent(apiKey());
  return url;
}

function showResults(list, results) {
  list.replaceChildren();
  results.forEach((r, i) => {
    const li = document.createElement("li");
    li.dataset.path = r.path;
    const img = document.createElement("img");
    img.src = thumbnailUrl(r.path);
    img.alt = r.caption || r.path.split("/").pop();
    img.loading = "lazy";
    const score = document.createElement("div");
    score.className = "score";
    score.textContent = "#" + (i + 1) + "  " + r.score.toFixed(3);
    const cap = document.createElement("div");
    cap.className = "caption";
    cap.textContent = r.caption || r.path.split("/").pop();
    cap.title = r.path;
    li.append(img, score, cap);
    list.append(li);
  });
}

function status(el, text, error) {
  el.textContent = text;
  el.classList.toggle("error", !!error);
}

async function search(event) {
  event.preventDefault();
  const q = $("query").value.trim();
  if (!q) return;
  const k = Math.max(1, Math.min(100, parseInt($("k").value, 10) || 12));
  status($("search-status"), "searching…");
  try {
    const t0 = performance.now();
    const r = await api("/v1/search?q=" + encodeURIComponent(q) + "&k=" + k);
    showResults($("results"), r.results);
    status($("search-status"), r.results.length + " results in " + Math.round(performance.now() - t0) + " ms");
  } catch (e) {
    status($("search-status"), e.message, true);
  }
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function lookAt(file) {
  if (!file) return;
  status($("drop-status"), "looking at " + file.name + "…");
  try {
    const image = await readAsDataUrl(file);
    $("dropped").src = image;
    $("drop-result").hidden = false;
    const labels = $("labels").value.split(",").map((s) => s.trim()).filter((s) => s);
    const jobs = [];
    if (labels.length && capabilities.classify) {
      jobs.push(api("/v1/classify", { image, labels }).then((r) => {
        const list = $("label-list");
        list.replaceChildren();
        r.labels.forEach((l) => {
          const li = document.createElement("li");
          li.textContent = l.label + " — " + (100 * l.probability).toFixed(1) + "%";
          li.dataset.label = l.label;
          list.append(li);
        });
      }));
    }
    if (capabilities.search) {
      jobs.push(api("/v1/search", { image, k: 8 }).then((r) => showResults($("similar"), r.results)));
    }
    if (capabilities.caption) {
      jobs.push(api("/v1/caption", { image }).then((r) => {
        $("caption").hidden = false;
        $("caption").textContent = "Caption: " + r.caption;
      }));
    }
    await Promise.all(jobs);
    status($("drop-status"), "done: " + file.name);
  } catch (e) {
    status($("drop-status"), e.message, true);
  }
}

function setUpDrop() {
  const zone = $("drop");
  zone.addEventListener("click", () => $("file").click());
  zone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file").click(); }
  });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    lookAt(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", (e) => lookAt(e.target.files[0]));
}

async function loadModel() {
  try {
    const m = await api("/v1/model");
    capabilities = m.capabilities;
    const idx = m.index ? m.index.count + " images indexed" : "no index";
    $("model-info").textContent = m.family + " model, " + idx + (m.capabilities.caption ? ", captions on" : "");
    document.body.dataset.ready = "true";
  } catch (e) {
    $("model-info").textContent = e.message;
  }
}

$("api-key").value = apiKey();
$("api-key").addEventListener("change", (e) => { localStorage.setItem("vlm4j-api-key", e.target.value); loadModel(); });
$("search-form").addEventListener("submit", search);
setUpDrop();
loadModel();
