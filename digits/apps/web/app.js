// Draw a digit; the server answers which one it is. Plain JavaScript, no libraries.
"use strict";

const STROKE = 0.07;     // pen width, as a share of the pad's side: ~2 px on a 28x28 scale
const SEND_SIDE = 112;   // the drawing is sent as a 112x112 PNG (4x MNIST's 28x28): small, fast
const PAUSE_MS = 60;     // while drawing, at most one request per pause (and one at a time)

const pad = document.getElementById("pad");
const seen = document.getElementById("seen");
const result = document.getElementById("result");
const digitText = document.getElementById("digit");
const confidenceText = document.getElementById("confidence");
const statusText = document.getElementById("status");
const spoken = document.getElementById("spoken");  // what a screen reader announces
const barChart = document.getElementById("bars");
const fileInput = document.getElementById("file");

const bars = [];
for (let d = 0; d < 10; d++) {
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.setAttribute("aria-hidden", "true");  // the chart's label speaks for the bars
  bar.innerHTML = `<span class="fill"></span><span class="label">${d}</span>`;
  barChart.append(bar);
  bars.push(bar);
}

let strokes = [];        // each stroke: a list of [x, y] points, 0-1 across the pad
let current = null;      // the stroke being drawn, by the pointer pointerId
let pointerId = null;
let picture = null;      // an image file shown on the pad, until the next stroke
let timer = null;        // a request waiting for the pause to end
let inFlight = false;    // one request at a time
let changed = false;     // the drawing changed since the last request was sent
let waitingFile = null;  // a file dropped while a request was in flight

function render(ctx, side) {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, side, side);
  if (picture && !strokes.length) {
    const scale = Math.min(side / picture.width, side / picture.height);
    const w = picture.width * scale, h = picture.height * scale;
    ctx.drawImage(picture, (side - w) / 2, (side - h) / 2, w, h);
  }
  ctx.strokeStyle = ctx.fillStyle = "#000";
  ctx.lineWidth = STROKE * side;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of strokes) {
    ctx.beginPath();
    if (stroke.length === 1) {   // a dot
      ctx.arc(stroke[0][0] * side, stroke[0][1] * side, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(stroke[0][0] * side, stroke[0][1] * side);
    for (const [x, y] of stroke.slice(1)) ctx.lineTo(x * side, y * side);
    ctx.stroke();
  }
}

let frame = 0;
function redraw() {  // at most once per screen refresh
  frame = frame || requestAnimationFrame(() => {
    frame = 0;
    render(pad.getContext("2d"), pad.width);
  });
}

function fitPad() {  // a sharp bitmap at the pad's size on screen
  const side = Math.round(pad.clientWidth * (window.devicePixelRatio || 1));
  if (side > 0 && side !== pad.width) {
    pad.width = pad.height = side;
    render(pad.getContext("2d"), side);
  }
}
new ResizeObserver(fitPad).observe(pad);

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  if (pointerId !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  pointerId = event.pointerId;
  picture = null;
  current = [point(event)];
  strokes.push(current);
  redraw();
  drawingChanged();
});

pad.addEventListener("pointermove", (event) => {
  if (event.pointerId !== pointerId) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  for (const e of events.length ? events : [event]) current.push(point(e));
  redraw();
  drawingChanged();
});

for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, (event) => {
    if (event.pointerId !== pointerId) return;
    pointerId = current = null;
    drawingChanged();
  });
}

function undo() {
  if (pointerId !== null) return;
  strokes.pop();
  redraw();
  drawingChanged();
}

function clear() {
  if (pointerId !== null) return;
  strokes = [];
  picture = null;
  redraw();
  drawingChanged();
}

document.getElementById("undo").addEventListener("click", undo);
document.getElementById("clear").addEventListener("click", clear);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "z") { event.preventDefault(); undo(); }
  if (event.key === "Escape") clear();
});
pad.addEventListener("keydown", (event) => {  // the drawing area has the focus
  if (event.key === "Backspace" || event.key === "Delete") { event.preventDefault(); undo(); }
});

// Predictions while drawing: after each pause, one request at a time, the latest drawing.
function drawingChanged() {
  changed = true;
  if (!timer && !inFlight) timer = setTimeout(sendDrawing, PAUSE_MS);
  setBusy();
}

function setBusy() {
  result.dataset.busy = String(Boolean(timer || inFlight || changed));
}

async function sendDrawing() {
  timer = null;
  changed = false;
  if (!strokes.length) {
    if (!picture) showNothing("Draw a digit from 0 to 9 in the box.");
    return setBusy();
  }
  inFlight = true;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SEND_SIDE;
  render(canvas.getContext("2d"), SEND_SIDE);
  const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  await ask(png, { "Content-Type": "image/png" }, "");
}

async function sendFile(file) {
  if (!file) return;
  if (inFlight) { waitingFile = file; return; }  // sent when the current request is answered
  inFlight = true;
  clearTimeout(timer);
  timer = null;
  changed = false;
  strokes = [];
  setBusy();
  try {
    picture = await createImageBitmap(file);
  } catch {
    picture = null;  // not an image the browser can show: the server will say why
  }
  redraw();
  const form = new FormData();
  form.append("file", file);
  await ask(form, {}, `From ${file.name}`);
}

async function ask(body, headers, note) {  // inFlight is already set
  try {
    const response = await fetch("/api/predict", { method: "POST", body, headers });
    const answer = await response.json();
    if (response.ok) show(answer, note);
    else showNothing(answer.error || `error ${response.status}`, true);
  } catch (error) {
    showNothing(`The server did not answer (${error.message}). Is it still running?`, true);
  } finally {
    inFlight = false;
    if (waitingFile) { const file = waitingFile; waitingFile = null; sendFile(file); return; }
    if (changed && !timer) timer = setTimeout(sendDrawing, 0);  // the drawing changed meanwhile
    setBusy();
  }
}

function percent(p) {
  return `${(100 * p).toFixed(1)}%`;
}

// Screen readers: "7, 99.2 percent", not the adjacent "799.2%" of the big print.
function inWords(p) {
  return `${Number((100 * p).toFixed(1))} percent`;
}

function announce(words) {
  if (spoken.textContent !== words) spoken.textContent = words;
}

function show(answer, note) {
  let words;
  if (answer.digit !== null) {
    digitText.textContent = answer.digit;
    confidenceText.textContent = percent(answer.confidence);
    words = `${answer.digit}, ${inWords(answer.confidence)}`;
  } else if (answer.reason === "not sure") {
    const [first, second] = answer.candidates;
    digitText.textContent = "?";
    confidenceText.textContent =
      `not sure: ${first.digit} (${percent(first.probability)}) or ` +
      `${second.digit} (${percent(second.probability)})`;
    words = `not sure: ${first.digit} or ${second.digit}`;
  } else {
    digitText.textContent = "✕";
    confidenceText.textContent = "not a digit";
    words = "not a digit";
  }
  announce(`${words}${note ? `. ${note}` : ""}`);
  statusText.textContent = note;
  statusText.classList.remove("error");
  bars.forEach((bar, d) => {
    const p = answer.probabilities[d];
    bar.style.setProperty("--p", p);
    bar.title = `${d}: ${(100 * p).toFixed(1)}%`;
    bar.classList.toggle("best", d === answer.digit);
  });
  const likeliest = [...answer.probabilities.keys()]
    .sort((a, b) => answer.probabilities[b] - answer.probabilities[a]).slice(0, 3);
  barChart.setAttribute("aria-label", "Probability of each digit: " + likeliest
    .map((d) => `${d}, ${inWords(answer.probabilities[d])}`).join("; "));
  const pixels = new ImageData(28, 28);
  answer.image.flat().forEach((level, i) => {
    pixels.data.set([level, level, level, 255], 4 * i);
  });
  seen.getContext("2d").putImageData(pixels, 0, 0);
}

function showNothing(message, isError = false) {
  digitText.textContent = "–";
  confidenceText.textContent = "";
  statusText.textContent = message;
  statusText.classList.toggle("error", isError);
  announce(message);
  barChart.setAttribute("aria-label", "Probability of each digit");
  for (const bar of bars) {
    bar.style.setProperty("--p", 0);
    bar.title = "";
    bar.classList.remove("best");
  }
  seen.getContext("2d").clearRect(0, 0, 28, 28);
}

// Image files: chosen, or dropped anywhere on the page.
fileInput.addEventListener("change", () => {
  sendFile(fileInput.files[0]);
  fileInput.value = "";
});
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (event) => {
  if (!event.relatedTarget) document.body.classList.remove("dragging");
});
document.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("dragging");
  sendFile(event.dataTransfer.files[0]);
});
