// The console's few live parts: autosubmit, live preview, job progress, recording. No framework.
"use strict";
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function post(url, body) {
  return fetch(url, {method: "POST", body, headers: {"X-CSRF-Token": csrf()}, credentials: "same-origin"});
}

document.querySelectorAll("[data-autosubmit]").forEach(el => el.addEventListener("change", () => el.form.submit()));

const editForm = document.getElementById("edit-form");
if (editForm) {
  let timer = null;
  const refresh = () => post(editForm.dataset.preview, new FormData(editForm))
    .then(r => r.text()).then(html => { document.getElementById("preview").innerHTML = html; });
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 400); };
  editForm.addEventListener("input", later);
  editForm.addEventListener("change", later);
}

const job = document.querySelector("[data-job]");
if (job) {
  const bar = document.getElementById("job-progress"), state = document.getElementById("job-state");
  const poll = () => fetch(`/jobs/${job.dataset.job}/state`, {credentials: "same-origin"}).then(r => r.json()).then(j => {
    if (j.state === "done" || j.state === "failed") { location.reload(); return; }
    if (j.total) { bar.max = j.total; bar.value = j.done; state.textContent = `${j.done} / ${j.total}`; }
    setTimeout(poll, 700);
  }).catch(() => setTimeout(poll, 2000));
  setTimeout(poll, 500);
}

const printForm = document.getElementById("print-form");
if (printForm) {
  const boxes = [...printForm.querySelectorAll('input[name="villages"]')];
  boxes.forEach(box => box.addEventListener("change", () => {
    if (box.value === "all" && box.checked) boxes.forEach(b => { if (b !== box) b.checked = false; });
    if (box.value !== "all" && box.checked) boxes.find(b => b.value === "all").checked = false;
  }));
}

function message(id) { const t = document.getElementById(id); return t ? t.innerHTML : id; }

function showCoverage(data) {
  document.getElementById("coverage-recorded").textContent = data.recorded;
  document.getElementById("coverage-needed").textContent = data.needed;
  const bar = document.getElementById("coverage-bar");
  bar.max = data.needed || 1; bar.value = data.recorded;
}

function sendTake(item, blob, name) {
  const form = new FormData();
  form.append("key", item.dataset.key);
  form.append("take", blob, name);
  const result = item.querySelector(".result");
  result.textContent = "…";
  return post("/record/upload", form).then(r => r.json()).then(data => {
    result.textContent = data.status === "taken" ? `${message("msg-taken")} (${data.duration} s)`
      : `${message("msg-refused")}: ${data.reason}`;
    result.className = "result " + data.status;
    if (data.status === "taken") { item.classList.add("recorded"); showCoverage(data); }
  });
}

document.querySelectorAll("li.take").forEach(item => {
  const rec = item.querySelector(".rec"), playback = item.querySelector(".playback");
  const keep = item.querySelector(".keep"), redo = item.querySelector(".redo");
  const startLabel = rec.textContent;
  let recorder = null, blob = null;
  rec.addEventListener("click", async () => {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({audio: true}); }
    catch (e) { item.querySelector(".result").textContent = message("msg-nomic"); return; }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = e => chunks.push(e.data);
    recorder.onstop = () => {
      stream.getTracks().forEach(t => t.stop());
      blob = new Blob(chunks, {type: recorder.mimeType || "audio/webm"});
      playback.src = URL.createObjectURL(blob);
      playback.hidden = keep.hidden = redo.hidden = false;
      rec.textContent = startLabel; rec.hidden = true;
    };
    recorder.start();
    rec.textContent = rec.dataset.labelStop;
  });
  keep.addEventListener("click", () => {
    keep.hidden = true;
    sendTake(item, blob, "take.webm").then(() => { redo.hidden = false; });
  });
  redo.addEventListener("click", () => {
    playback.hidden = keep.hidden = redo.hidden = true; rec.hidden = false; blob = null;
  });
  item.querySelector('input[type="file"]').addEventListener("change", e => {
    const file = e.target.files[0];
    if (file) sendTake(item, file, file.name);
  });
});
