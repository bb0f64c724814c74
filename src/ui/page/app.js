// The live page of `pseudo-cluster ui`. Everything comes from /feed (server-sent events): the
// supervisor's timeline events, the election facts (votes) and a status sample every second.
// The page keeps every item, so the slider can go back to any of them (time travel): the view
// is always "the cluster as of item N", live when N is the newest.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const items = [];      // every feed item, in order
let cursor = -1;       // the item the view shows; follows the newest while live
let live = true;
let selected = null;   // member id
let dirty = false;

const $ = (id) => document.getElementById(id);
const svgNS = "http://www.w3.org/2000/svg";

function el(name, attrs, parent) {
  const e = document.createElementNS(svgNS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// The cluster as of item `index`: the last status sample before it, with the role changes of
// the timeline events newer than that sample applied (those after its after_seq: events that
// arrived while the sample was being taken are newer than it, though listed before it).
function stateAt(index) {
  let base = -1;
  for (let i = index; i >= 0; i--) {
    if (items[i].type === "status") { base = i; break; }
  }
  if (base < 0) return null;
  const s = JSON.parse(JSON.stringify(items[base]));
  let from = base;
  while (from > 0 && items[from - 1].seq > s.after_seq) from--;
  for (let i = from; i <= index; i++) {
    const it = items[i];
    if (it.type !== "event") continue;
    const e = it.event;
    const m = s.members.find((x) => x.id === e.node);
    if (!m) continue;
    if (e.kind === "role" && e.data.role) {
      m.role = e.data.role;
      if (e.data.epoch !== undefined) m.epoch = e.data.epoch;
    } else if (e.kind === "exit") {
      m.role = "stopped";
      m.pid = 0;
    } else if (e.kind === "start") {
      m.role = "starting";
    }
  }
  return s;
}

function positions(members) {
  const pos = {};
  const n = members.length;
  members.forEach((m, k) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / n;
    pos[m.id] = { x: 170 * Math.cos(a), y: 170 * Math.sin(a) };
  });
  return pos;
}

// One line per pair of members; its class says what the link layer does to it.
function linkClass(links, a, b) {
  if ((links.mode || "direct") !== "proxied") return ["direct", false];
  const dir = (f, t) => (links.links || []).find((l) => l.from === f && l.to === t) || {};
  const bad = (l) => l.state === "blackhole" || l.state === "reset";
  const ab = dir(a, b), ba = dir(b, a);
  if (bad(ab) && bad(ba)) return ["cut", false];
  if (bad(ab) || bad(ba)) return ["oneway", bad(ab)];  // arrow: the direction that still works
  if (ab.state === "slow" || ba.state === "slow") return ["slow", false];
  return ["ok", false];
}

function renderRing(s) {
  const pos = positions(s.members);
  const links = $("links");
  links.replaceChildren();
  for (let i = 0; i < s.members.length; i++) {
    for (let j = i + 1; j < s.members.length; j++) {
      const a = s.members[i].id, b = s.members[j].id;
      const [cls, reversed] = linkClass(s.links || {}, a, b);
      const [p, q] = reversed ? [pos[b], pos[a]] : [pos[a], pos[b]];
      el("line", { x1: p.x, y1: p.y, x2: q.x * 0.82 + p.x * 0.18, y2: q.y * 0.82 + p.y * 0.18,
                   class: "link " + cls, "data-link": a + "-" + b, "data-state": cls }, links);
    }
  }
  const g = $("members");
  g.replaceChildren();
  for (const m of s.members) {
    const p = pos[m.id];
    const node = el("g", { class: "member role-" + m.role + (m.id === selected ? " selected" : ""),
                           "data-id": m.id, "data-role": m.role,
                           transform: `translate(${p.x},${p.y})` }, g);
    el("circle", { r: 44 }, node);
    el("text", { y: -12, class: "name" }, node).textContent = "node" + m.id;
    el("text", { y: 4 }, node).textContent = m.role;
    el("text", { y: 18 }, node).textContent = "epoch " + (m.epoch >= 0 ? m.epoch : "-");
    el("text", { y: 32 }, node).textContent = m.zxid || "-";
    node.addEventListener("click", () => { selected = m.id; dirty = true; });
  }
}

function spark(values) {
  const w = 120, h = 24;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) =>
    `${(i * w) / Math.max(1, values.length - 1)},${h - (Math.max(0, v) * (h - 2)) / max - 1}`);
  return `<svg class="spark" viewBox="0 0 ${w} ${h}"><polyline points="${pts.join(" ")}"/></svg>`;
}

function renderMetrics(s) {
  const history = {};
  let samples = 0;
  for (let i = cursor; i >= 0 && samples < 60; i--) {
    if (items[i].type !== "status") continue;
    samples++;
    for (const m of items[i].members) {
      (history[m.id] = history[m.id] || { ops: [], lat: [] });
      history[m.id].ops.unshift(m.ops_per_s);
      history[m.id].lat.unshift(m.avg_latency_ms);
    }
  }
  const rows = s.members.map((m) => {
    const h = history[m.id] || { ops: [], lat: [] };
    const ops = m.ops_per_s >= 0 ? Math.round(m.ops_per_s) : "-";
    const lat = m.avg_latency_ms >= 0 ? m.avg_latency_ms.toFixed(1) + " / " + m.max_latency_ms : "-";
    return `<tr data-id="${m.id}"><td>node${m.id}</td><td>${m.role}</td><td>${ops}</td>` +
           `<td>${spark(h.ops)}</td><td>${lat}</td><td>${spark(h.lat)}</td></tr>`;
  });
  document.querySelector("#metrics tbody").innerHTML = rows.join("");
}

function eventLine(it) {
  const e = it.event;
  const t = "+" + (e.t_ms / 1000).toFixed(3) + "s";
  const who = e.node ? "node" + e.node : "cluster";
  return `${t.padStart(10)}  ${who.padEnd(8)} ${e.text}`;
}

// The timeline: events and election decisions (notifications are animated, not listed).
let listed = 0;
function renderTimeline() {
  const list = $("events");
  for (; listed < items.length; listed++) {
    const it = items[listed];
    if (it.type !== "event" && !(it.type === "vote" && it.event.kind === "decision")) continue;
    const li = document.createElement("li");
    li.textContent = eventLine(it);
    li.dataset.index = listed;
    li.className = it.type === "vote" ? "vote" : "";
    list.appendChild(li);
  }
  for (const li of list.children) {
    li.classList.toggle("future", Number(li.dataset.index) > cursor);
  }
  if (live) list.scrollTop = list.scrollHeight;
}

function render() {
  dirty = false;
  const s = stateAt(cursor);
  if (s) {
    $("title").textContent = s.title;
    $("quorum").textContent = s.quorum;
    $("links-line").textContent = s.links_line;
    renderRing(s);
    renderMetrics(s);
  }
  $("selected").textContent = selected ? "node" + selected : "none (click a member)";
  $("slider").max = Math.max(0, items.length - 1);
  $("slider").value = cursor;
  $("when").textContent = live ? "live" :
    `item ${cursor + 1} of ${items.length}` + (items[cursor] && items[cursor].event ?
      ": " + eventLine(items[cursor]).trim() : "");
  renderTimeline();
}

// An election notification: a dot travelling from its sender to its receiver.
function animate(it) {
  const e = it.event;
  if (e.kind !== "notification" || !e.data || e.data.from === e.node) return;
  const s = stateAt(cursor);
  if (!s) return;
  const pos = positions(s.members);
  const p = pos[e.data.from], q = pos[e.node];
  if (!p || !q) return;
  const dot = el("circle", { r: 6, class: "message", cx: p.x, cy: p.y }, $("messages"));
  const start = performance.now();
  function step(now) {
    const f = Math.min(1, (now - start) / 500);
    dot.setAttribute("cx", p.x + (q.x - p.x) * f);
    dot.setAttribute("cy", p.y + (q.y - p.y) * f);
    if (f < 1) requestAnimationFrame(step); else dot.remove();
  }
  requestAnimationFrame(step);
}

function goTo(index) {
  cursor = Math.max(0, Math.min(items.length - 1, index));
  live = cursor === items.length - 1;
  if (items[cursor] && items[cursor].type === "vote") animate(items[cursor]);
  dirty = true;
}

const feed = new EventSource("feed?token=" + encodeURIComponent(token));
feed.onmessage = (message) => {
  const it = JSON.parse(message.data);
  items.push(it);
  if (live) {
    cursor = items.length - 1;
    if (it.type === "vote") animate(it);
    dirty = true;
  }
};
feed.onerror = () => { $("answer").textContent = "the feed was interrupted (is the cluster down?)"; };

function loop() {
  if (dirty) render();
  requestAnimationFrame(loop);
}
requestAnimationFrame(loop);

async function act(body) {
  $("answer").textContent = body.cmd + " ...";
  try {
    const r = await fetch("api/action?token=" + encodeURIComponent(token), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answer = await r.json();
    $("answer").textContent = body.cmd + (body.target ? " " + body.target : "") + ": " +
                              answer.answer;
  } catch (err) {
    $("answer").textContent = body.cmd + ": " + err;
  }
}

for (const b of document.querySelectorAll("button[data-cmd]")) {
  b.addEventListener("click", () => {
    if (!selected) { $("answer").textContent = "select a member first (click it)"; return; }
    act({ cmd: b.dataset.cmd, target: String(selected) });
  });
}
$("heal").addEventListener("click", () => act({ cmd: "heal" }));
$("partition").addEventListener("click", () => {
  const groups = $("groups").value.trim().split(/\s+/).filter(Boolean)
    .map((g) => g.split(",").filter(Boolean));
  act({ cmd: "partition", groups });
});
$("slider").addEventListener("input", (e) => goTo(Number(e.target.value)));
$("back").addEventListener("click", () => goTo(cursor - 1));
$("forward").addEventListener("click", () => goTo(cursor + 1));
$("live").addEventListener("click", () => goTo(items.length - 1));
