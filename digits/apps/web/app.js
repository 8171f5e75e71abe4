// Write a digit or a number; the server reads it. Plain JavaScript, no libraries.
"use strict";

const ASPECT = 3;        // the pad is three times as wide as high: room for a number in a row
const STROKE = 0.07;     // pen width, as a share of the pad's height: ~2 px on a 28x28 scale
const SEND_HEIGHT = 112; // sent as a 336x112 PNG: a digit as high as the pad is 4x MNIST's 28
const PAUSE_MS = 60;     // while drawing, at most one request per pause (and one at a time)
const WELCOME = "Write a digit, or a number, in the box.";

const pad = document.getElementById("pad");
const placesList = document.getElementById("places");
const result = document.getElementById("result");
const digitText = document.getElementById("digit");
const confidenceText = document.getElementById("confidence");
const statusText = document.getElementById("status");
const spoken = document.getElementById("spoken");  // what a screen reader announces
const barChart = document.getElementById("bars");
const barFigure = barChart.closest("figure");
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

let strokes = [];        // each stroke: a list of [x, y] points, in units of the pad's height
let current = null;      // the stroke being drawn, by the pointer pointerId
let pointerId = null;
let picture = null;      // an image file shown on the pad, until the next stroke
let timer = null;        // a request waiting for the pause to end
let inFlight = false;    // one request at a time
let changed = false;     // the drawing changed since the last request was sent
let waitingFile = null;  // a file dropped while a request was in flight

function render(ctx, width, side) {  // side: the height, the unit of the strokes' points
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, side);
  if (picture && !strokes.length) {
    const scale = Math.min(width / picture.width, side / picture.height);
    const w = picture.width * scale, h = picture.height * scale;
    ctx.drawImage(picture, (width - w) / 2, (side - h) / 2, w, h);
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
    render(pad.getContext("2d"), pad.width, pad.height);
  });
}

function fitPad() {  // a sharp bitmap at the pad's size on screen
  const scale = window.devicePixelRatio || 1;
  const width = Math.round(pad.clientWidth * scale), height = Math.round(pad.clientHeight * scale);
  if (height > 0 && (width !== pad.width || height !== pad.height)) {
    pad.width = width;
    pad.height = height;
    render(pad.getContext("2d"), width, height);
  }
}
new ResizeObserver(fitPad).observe(pad);

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) / box.height, (event.clientY - box.top) / box.height];
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
    if (!picture) showNothing(WELCOME);
    return setBusy();
  }
  inFlight = true;
  const canvas = document.createElement("canvas");
  canvas.width = ASPECT * SEND_HEIGHT;
  canvas.height = SEND_HEIGHT;
  render(canvas.getContext("2d"), canvas.width, SEND_HEIGHT);
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

function placeWords(place) {  // for a screen reader
  if (place.digit !== null) return `${place.digit}, ${inWords(place.confidence)}`;
  if (place.reason === "not sure") {
    return `not sure: ${place.candidates[0].digit} or ${place.candidates[1].digit}`;
  }
  return "not a digit";
}

function placeText(place) {  // under each place's picture
  if (place.digit !== null) return `${place.digit} ${percent(place.confidence)}`;
  if (place.reason === "not sure") {
    return `? ${place.candidates[0].digit} or ${place.candidates[1].digit}`;
  }
  return "✕ not a digit";
}

function show(answer, note) {
  const places = answer.digits;
  let words;
  if (answer.number === null) {
    digitText.textContent = "✕";
    confidenceText.textContent = "not a digit";
    words = "not a digit";
  } else if (places.length > 1) {
    digitText.textContent = answer.number;
    confidenceText.textContent = answer.number.includes("?") ? "? not sure" : "";
    words = `${answer.number.replaceAll("?", " not sure ")}: ${places.map(placeWords).join("; ")}`;
  } else if (answer.digit !== null) {
    digitText.textContent = answer.digit;
    confidenceText.textContent = percent(answer.confidence);
    words = placeWords(answer);
  } else {
    digitText.textContent = answer.reason === "not sure" ? "?" : "✕";
    const [first, second] = answer.candidates || [];
    confidenceText.textContent = answer.reason === "not sure"
      ? `not sure: ${first.digit} (${percent(first.probability)}) or ` +
        `${second.digit} (${percent(second.probability)})`
      : answer.reason;
    words = placeWords(answer);
  }
  announce(`${words}${note ? `. ${note}` : ""}`);
  statusText.textContent = note;
  statusText.classList.remove("error");
  showBars(places.length === 1 ? places[0] : null);
  showPlaces(places);
}

function showBars(place) {  // one digit: its ten probabilities; a number: each place instead
  barFigure.hidden = !place;
  if (!place) return;
  bars.forEach((bar, d) => {
    const p = place.probabilities[d];
    bar.style.setProperty("--p", p);
    bar.title = `${d}: ${(100 * p).toFixed(1)}%`;
    bar.classList.toggle("best", d === place.digit);
  });
  const likeliest = [...place.probabilities.keys()]
    .sort((a, b) => place.probabilities[b] - place.probabilities[a]).slice(0, 3);
  barChart.setAttribute("aria-label", "Probability of each digit: " + likeliest
    .map((d) => `${d}, ${inWords(place.probabilities[d])}`).join("; "));
}

function showPlaces(places) {  // each place as the model saw it, with its answer
  placesList.replaceChildren(...places.map((place, i) => {
    const figure = document.createElement("figure");
    figure.className = "place" + (place.digit === null ? " unsure" : "");
    figure.setAttribute("role", "listitem");
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Digit ${i + 1} as the model saw it: ${placeWords(place)}`);
    const pixels = new ImageData(28, 28);
    place.image.flat().forEach((level, j) => {
      pixels.data.set([level, level, level, 255], 4 * j);
    });
    canvas.getContext("2d").putImageData(pixels, 0, 0);
    const caption = document.createElement("figcaption");
    caption.textContent = placeText(place);
    caption.setAttribute("aria-hidden", "true");
    figure.append(canvas, caption);
    return figure;
  }));
}

function showNothing(message, isError = false) {
  digitText.textContent = "–";
  confidenceText.textContent = "";
  statusText.textContent = message;
  statusText.classList.toggle("error", isError);
  announce(message);
  barFigure.hidden = false;
  barChart.setAttribute("aria-label", "Probability of each digit");
  for (const bar of bars) {
    bar.style.setProperty("--p", 0);
    bar.title = "";
    bar.classList.remove("best");
  }
  placesList.replaceChildren();
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
