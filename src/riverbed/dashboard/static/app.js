/* riverbed dashboard: a small single page over /_riverbed/ui/api, refreshed by server-sent events.
   No framework; charts by the vendored uPlot (static/uPlot.iife.min.js). Read-only. */
"use strict";

const BASE = "/_riverbed/ui";
const page = document.getElementById("page");
const crumbs = document.getElementById("crumbs");
const scope = { account: localStorage.getItem("rb.account") || "", region: localStorage.getItem("rb.region") || "" };
const state = { route: null, start: null, history: [], key: null, charts: [], busy: false, again: false };

/* --- small helpers ----------------------------------------------------------------------------- */
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const enc = encodeURIComponent;
const fmtTime = (t) => (t ? new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19) : "");
const fmtNum = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const pill = (text, kind) => `<span class="pill ${kind || ""}">${esc(text)}</span>`;
const link = (route, text) => `<a href="#/${route}">${esc(text)}</a>`;
const nameOf = (arn) => String(arn || "").split(/[:/]/).pop();

function stateKind(s) {
  if (!s) return "";
  if (/^(ACTIVE|Active|Enabled|ENABLED|OK|Successful|OK_STATE)$/.test(s)) return "ok";
  if (/PROBLEM|ALARM|Failed|FAILED|DISABLED|Disabled/.test(s)) return "bad";
  return "warn";
}

/** A DynamoDB AttributeValue as a plain JS value (for display). */
function plain(av) {
  if (av === null || typeof av !== "object") return av;
  const [t, v] = Object.entries(av)[0] || [];
  switch (t) {
    case "S": case "B": return v;
    case "N": return Number(v);
    case "BOOL": return v;
    case "NULL": return null;
    case "SS": case "BS": return v;
    case "NS": return v.map(Number);
    case "L": return v.map(plain);
    case "M": return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    default: return av;
  }
}
const show = (av) => { const p = plain(av); return typeof p === "string" ? p : JSON.stringify(p); };
const image = (img) => (img ? Object.fromEntries(Object.entries(img).map(([k, v]) => [k, plain(v)])) : null);

async function api(view, params) {
  const qs = new URLSearchParams(Object.assign({}, params || {}));
  if (scope.account) qs.set("account", scope.account);
  if (scope.region) qs.set("region", scope.region);
  const res = await fetch(`${BASE}/api/${view}?${qs}`, { cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
}

function kv(obj) {
  return `<dl class="kv">${Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${typeof v === "object" ? `<pre>${esc(JSON.stringify(v, null, 1))}</pre>` : esc(v)}</dd>`)
    .join("")}</dl>`;
}

function table(headers, rows, empty) {
  if (!rows.length) return `<p class="muted">${esc(empty || "none")}</p>`;
  const th = headers.map((h) => `<th class="${h.startsWith("#") ? "num" : ""}">${esc(h.replace(/^#/, ""))}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td class="${headers[i].startsWith("#") ? "num" : ""}">${c}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const card = (title, body, cls, count) =>
  `<section class="card ${cls || ""}" data-card="${esc(title)}"><h2>${esc(title)}${count !== undefined ? `<span class="count">${count}</span>` : ""}</h2>${body}</section>`;

function setCrumbs(parts) {
  crumbs.innerHTML = parts.map((p) => (p.route !== undefined ? link(p.route, p.text) : esc(p.text))).join('<span class="sep">/</span>');
}

/* --- charts (uPlot) ---------------------------------------------------------------------------- */
function chart(el, title, series, color) {
  el.dataset.points = String(series.t.length);
  if (!series.t.length) {
    el.innerHTML = `<h2>${esc(title)}</h2><div class="empty">no data points yet</div>`;
    return;
  }
  el.innerHTML = `<h2>${esc(title)}</h2>`;
  const width = Math.max(300, el.clientWidth - 10);
  const opts = {
    width, height: 190, legend: { show: false }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: () => [Math.max(series.t[0] - 2, series.now - 300), Math.max(series.now, series.t[series.t.length - 1]) + 2] },
              y: { range: (u, lo, hi) => [0, hi > 0 ? hi * 1.15 : 1] } },
    axes: [{ stroke: "#6b7385", grid: { stroke: "#eef0f3" } }, { stroke: "#6b7385", grid: { stroke: "#eef0f3" }, size: 60 }],
    series: [{}, { label: title, stroke: color, width: 2, fill: color + "22", points: { show: series.t.length < 30, size: 6 } }],
  };
  state.charts.push(new uPlot(opts, [series.t, series.v], el));
}

function drawCharts(charts, titles) {
  const colors = ["#1f6feb", "#1a7f37", "#cf222e", "#9a6700", "#8250df"];
  Object.entries(titles).forEach(([key, title], i) => {
    const el = page.querySelector(`[data-chart="${key}"]`);
    if (el && charts[key]) chart(el, title, charts[key], colors[i % colors.length]);
  });
}

/* --- pages ------------------------------------------------------------------------------------- */
async function overview() {
  const d = await api("overview");
  if (!scope.account) document.getElementById("account").placeholder = d.account;
  if (!scope.region) document.getElementById("region").placeholder = d.region;
  setCrumbs([{ text: `${d.account} · ${d.region}` }]);
  const problems = d.mappings.filter((m) => !m.healthy).length + d.alarms.filter((a) => a.state === "ALARM").length;
  const stat = (n, label, kind) => `<div class="stat"><b class="${kind || ""}">${fmtNum(n)}</b><span>${esc(label)}</span></div>`;
  page.innerHTML = `<h1>Overview</h1>
  <div class="stats">${stat(d.tables.length, "tables")}${stat(d.streams.length, "streams")}${stat(d.functions.length, "functions")}
    ${stat(d.mappings.length, "mappings")}${stat(d.queues.length, "queues")}${stat(d.topics.length, "topics")}
    ${stat(d.alarms.length, "alarms")}${stat(problems, "problems", problems ? "error" : "")}</div>
  <div class="grid">
  ${card("Tables", table(["name", "status", "#items", "#bytes", "stream"], d.tables.map((t) => [
    link(`table/${enc(t.name)}`, t.name), pill(t.status, stateKind(t.status)), fmtNum(t.items), fmtNum(t.bytes),
    t.stream ? link(`stream/${enc(t.stream)}`, "stream") : '<span class="muted">off</span>']), "no tables"), "", d.tables.length)}
  ${card("Streams", table(["table", "status", "view", "#shards", "#open"], d.streams.map((s) => [
    link(`stream/${enc(s.arn)}`, s.table), pill(s.status, stateKind(s.status)), esc(s.view), s.shards, s.open]), "no streams"), "", d.streams.length)}
  ${card("Event source mappings", table(["mapping", "function", "state", "last result", "#iterator age ms"], d.mappings.map((m) => [
    link(`mapping/${enc(m.uuid)}`, m.uuid.slice(0, 8)), link(`function/${enc(m.function)}`, m.function), pill(m.state, stateKind(m.state)),
    m.result ? pill(m.result, m.result.startsWith("PROBLEM") ? "bad" : "ok") : '<span class="muted">–</span>',
    `${fmtNum(m.iterator_age)}${m.growing ? " " + pill("growing", "bad") : ""}`]), "no mappings"), "wide", d.mappings.length)}
  ${card("Functions", table(["name", "runtime", "#memory MB", "#timeout s"], d.functions.map((f) => [
    link(`function/${enc(f.name)}`, f.name), esc(f.runtime || "–"), f.memory, f.timeout]), "no functions"), "", d.functions.length)}
  ${card("Queues", table(["name", "#visible", "#in flight", "#delayed"], d.queues.map((q) => [
    link(`queue/${enc(q.name)}`, q.name), fmtNum(q.visible), fmtNum(q.in_flight), fmtNum(q.delayed)]), "no queues"), "", d.queues.length)}
  ${card("Topics", table(["name", "#subscriptions"], d.topics.map((t) => [link(`topic/${enc(t.arn)}`, t.name), t.subscriptions]), "no topics"), "", d.topics.length)}
  ${card("Alarms", table(["name", "state", "metric", "reason"], d.alarms.map((a) => [
    esc(a.name), pill(a.state, stateKind(a.state)), esc(`${a.namespace} ${a.metric}`), `<span class="muted">${esc(a.reason)}</span>`]), "no alarms"), "", d.alarms.length)}
  </div>`;
}

async function tablePage(name) {
  const d = state.key ? Object.assign(await api("table", { name }), await api("table", { name, key: JSON.stringify(state.key) }))
    : await api("table", state.start ? { name, start: state.start } : { name });
  const t = d.table;
  setCrumbs([{ route: "", text: "overview" }, { text: `table ${name}` }]);
  const keys = t.KeySchema.map((k) => k.AttributeName);
  const types = Object.fromEntries(t.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType]));
  const indexes = [...(t.GlobalSecondaryIndexes || []).map((i) => ["GSI", i]), ...(t.LocalSecondaryIndexes || []).map((i) => ["LSI", i])];
  const cols = [...new Set([...keys, ...d.items.flatMap((it) => Object.keys(it))])].slice(0, 12);
  page.innerHTML = `<h1>${esc(name)}</h1><div class="grid">
  ${card("Table", kv({ status: t.TableStatus, arn: t.TableArn, "key schema": t.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType}, ${types[k.AttributeName]})`).join(", "),
    "billing": (t.BillingModeSummary || {}).BillingMode || "PROVISIONED", items: fmtNum(t.ItemCount), "size (bytes)": fmtNum(t.TableSizeBytes),
    created: fmtTime(t.CreationDateTime) }))}
  ${card("Stream, TTL and replicas", kv({ stream: t.StreamSpecification && t.StreamSpecification.StreamEnabled ? t.StreamSpecification.StreamViewType : "off",
    "stream ARN": t.LatestStreamArn, TTL: d.ttl ? `${d.ttl.TimeToLiveStatus}${d.ttl.AttributeName ? " on " + d.ttl.AttributeName : ""}` : "–",
    replicas: (t.Replicas || []).map((r) => `${r.RegionName} (${r.ReplicaStatus})`).join(", ") || "none" }) +
    (t.LatestStreamArn ? `<p>${link(`stream/${enc(t.LatestStreamArn)}`, "open the stream →")}</p>` : ""))}
  ${card("Indexes", table(["type", "name", "keys", "projection", "#items"], indexes.map(([kind, i]) => [kind, esc(i.IndexName),
    esc(i.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")), esc(i.Projection.ProjectionType), fmtNum(i.ItemCount)]), "no secondary indexes"), "wide", indexes.length)}
  ${card("Items", `<form class="query" id="qform">query by key: ${keys.map((k) => `<label>${esc(k)} <input name="${esc(k)}" data-type="${types[k]}" value="${esc(state.key && state.key[k] ? plain(state.key[k]) : "")}"></label>`).join("")}
     <button type="submit">query</button> <button type="button" id="qclear">clear</button></form>` +
    table(cols, d.items.map((it) => cols.map((c) => (c in it ? `<code>${esc(show(it[c]))}</code>` : "")) ), "no items") +
    (state.key ? "" : `<div class="pager"><button id="first" ${state.start ? "" : "disabled"}>first page</button>
      <button id="next" ${d.next ? "" : "disabled"}>next page</button><span class="muted">${d.items.length} items on this page</span></div>`), "wide")}
  </div>`;
  const nextBtn = document.getElementById("next");
  if (nextBtn) nextBtn.onclick = () => { state.start = d.next; refresh(); };
  const firstBtn = document.getElementById("first");
  if (firstBtn) firstBtn.onclick = () => { state.start = null; refresh(); };
  document.getElementById("qform").onsubmit = (ev) => {
    ev.preventDefault();
    const key = {};
    for (const input of ev.target.querySelectorAll("input")) {
      if (input.value !== "") key[input.name] = { [input.dataset.type]: input.value };
    }
    state.key = key[keys[0]] ? key : null;
    refresh();
  };
  document.getElementById("qclear").onclick = () => { state.key = null; refresh(); };
}

function diff(oldImg, newImg) {
  const o = image(oldImg) || {}, n = image(newImg) || {};
  const names = [...new Set([...Object.keys(o), ...Object.keys(n)])].sort();
  const fmt = (v) => esc(JSON.stringify(v));
  return `<table class="diff">${names.map((k) => {
    if (!(k in o)) return `<tr class="added"><td>+ ${esc(k)}</td><td></td><td class="new">${fmt(n[k])}</td></tr>`;
    if (!(k in n)) return `<tr class="removed"><td>− ${esc(k)}</td><td class="old">${fmt(o[k])}</td><td></td></tr>`;
    if (JSON.stringify(o[k]) !== JSON.stringify(n[k])) return `<tr class="changed"><td>~ ${esc(k)}</td><td class="old">${fmt(o[k])}</td><td class="new">${fmt(n[k])}</td></tr>`;
    return `<tr class="same"><td>&nbsp; ${esc(k)}</td><td colspan="2" class="muted">${fmt(n[k])}</td></tr>`;
  }).join("")}</table>`;
}

function record(r) {
  const ddb = r.dynamodb || {};
  const keys = Object.entries(ddb.Keys || {}).map(([k, v]) => `${k}=${show(v)}`).join(", ");
  let body;
  if (r.eventName === "MODIFY" && ddb.OldImage && ddb.NewImage) body = diff(ddb.OldImage, ddb.NewImage);
  else if (ddb.NewImage) body = `<pre>${esc(JSON.stringify(image(ddb.NewImage)))}</pre>`;
  else if (ddb.OldImage) body = `<pre>${esc(JSON.stringify(image(ddb.OldImage)))}</pre>`;
  else body = '<span class="muted">keys only</span>';
  const ttl = r.userIdentity ? ` ${pill("TTL delete", "warn")}` : "";
  return `<div class="record" data-event="${esc(r.eventName)}"><div class="head">${pill(r.eventName, "ev-" + r.eventName)}${ttl}
    <code>${esc(keys)}</code><span class="muted">seq ${esc(ddb.SequenceNumber)} · ${esc(r.shard)} · ${fmtTime(ddb.ApproximateCreationDateTime)} · ${esc(ddb.SizeBytes)} B</span></div>${body}</div>`;
}

async function streamPage(arn) {
  const d = await api("stream", { arn });
  const s = d.stream;
  setCrumbs([{ route: "", text: "overview" }, { route: `table/${enc(s.TableName)}`, text: `table ${s.TableName}` }, { text: `stream ${s.StreamLabel}` }]);
  const ids = new Set(d.shards.map((x) => x.id));
  const children = {};
  d.shards.forEach((x) => { const p = x.parent && ids.has(x.parent) ? x.parent : ""; (children[p] = children[p] || []).push(x); });
  const tree = (parent, root) => `<ul class="tree ${root ? "root" : ""}">${(children[parent] || []).map((x) => `<li data-shard="${esc(x.id)}">
    <span class="shard ${x.open ? "open" : ""}">${pill(x.open ? "open" : "closed", x.open ? "ok" : "")} <code>${esc(x.id)}</code>
    <span class="muted">lineage ${x.lineage} · ${esc(x.start)} → ${esc(x.end || "…")} · records ${esc(x.first || "–")} … ${esc(x.last || "–")}</span></span>
    ${tree(x.id, false)}</li>`).join("")}</ul>`;
  page.innerHTML = `<h1>Stream of ${esc(s.TableName)}</h1><div class="grid">
  ${card("Stream", kv({ ARN: s.StreamArn, label: s.StreamLabel, status: s.StreamStatus, view: s.StreamViewType, created: fmtTime(s.CreationRequestDateTime) }))}
  ${card("Shards (lineage)", tree("", true), "", d.shards.length)}
  ${card("Latest records", d.records.map(record).join("") || '<p class="muted">no records yet</p>', "wide", d.records.length)}
  </div>`;
}

function destinationLink(arn) {
  if (!arn) return '<span class="muted">none</span>';
  if (arn.startsWith("arn:aws:sqs:")) return link(`queue/${enc(nameOf(arn))}`, `queue ${nameOf(arn)}`);
  if (arn.startsWith("arn:aws:sns:")) return link(`topic/${enc(arn)}`, `topic ${nameOf(arn)}`);
  return esc(arn);
}

const OUTCOME_KIND = { ok: "ok", retried: "warn", bisected: "warn", "partial failure": "warn", "sent to destination": "bad", dropped: "bad" };

/** The mapping's recent batches (newest first): outcome, records, sequence numbers, and where a failed batch went. */
function batchesTable(batches) {
  return table(["time", "outcome", "#records", "#attempt", "shard", "sequence numbers", "error", "destination"], batches.map((b) => [
    fmtTime(b.time).slice(11), `<span data-outcome="${esc(b.outcome)}">${pill(b.outcome, OUTCOME_KIND[b.outcome])}</span>`, fmtNum(b.records),
    fmtNum(b.attempt), `<code title="${esc(b.shard)}">…${esc(String(b.shard).slice(-8))}</code>`,
    b.first ? `<code>${esc(b.first)}</code>${b.last !== b.first ? ` – <code>${esc(b.last)}</code>` : ""}` : "–",
    esc([b.condition, b.error].filter(Boolean).join(" · ") || "–"),
    b.destination ? `<span class="batch-destination">${destinationLink(b.destination)}</span>` : "–"]), "no batches yet");
}

async function mappingPage(uuid) {
  const d = await api("mapping", { uuid });
  const m = d.mapping, sm = d.summary;
  setCrumbs([{ route: "", text: "overview" }, { text: `mapping ${uuid.slice(0, 8)}` }]);
  const params = {};
  ["StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "BisectBatchOnFunctionError",
    "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria"]
    .forEach((k) => { if (m[k] !== undefined) params[k] = m[k]; });
  const onFailure = sm.destination;
  page.innerHTML = `<h1>Mapping ${esc(uuid)}</h1><div class="grid">
  ${card("State", kv({ state: m.State, "last processing result": m.LastProcessingResult, "state reason": m.StateTransitionReason,
    function: m.FunctionArn, source: m.EventSourceArn, "last modified": fmtTime(m.LastModified), "iterator age (ms)": fmtNum(sm.iterator_age) }) +
    `<p>${pill(m.State, stateKind(m.State))} ${m.LastProcessingResult ? pill(m.LastProcessingResult, m.LastProcessingResult.startsWith("PROBLEM") ? "bad" : "ok") : ""}
     ${sm.growing ? pill("iterator age growing", "bad") : ""}</p>
     <p>${link(`function/${enc(sm.function)}`, `function ${sm.function} →`)} &nbsp; ${m.EventSourceArn && m.EventSourceArn.includes(":table/") ? link(`stream/${enc(m.EventSourceArn)}`, "stream →") : ""}</p>`)}
  ${card("Parameters", kv(params) + `<p>on failure: <span id="destination">${destinationLink(onFailure)}</span></p>`)}
  <section class="card wide"><div class="charts">
    <div class="chart" data-chart="IteratorAge"></div><div class="chart" data-chart="Invocations"></div>
    <div class="chart" data-chart="Errors"></div><div class="chart" data-chart="Throttles"></div></div></section>
  ${card("Recent batches", batchesTable(d.batches || []), "wide", (d.batches || []).length)}
  </div>`;
  drawCharts(d.charts, { IteratorAge: "IteratorAge (ms, max per second)", Invocations: "Invocations per second",
    Errors: "Errors per second", Throttles: "Throttles per second" });
}

async function functionPage(name) {
  const d = await api("function", { name });
  const c = d.configuration;
  setCrumbs([{ route: "", text: "overview" }, { text: `function ${name}` }]);
  const logLines = d.logs.map((e) => `<div class="${/^REPORT /.test(e.message) ? "report" : ""}"><span class="ts">${fmtTime(e.timestamp / 1000)}</span>${esc(e.message.replace(/\n$/, ""))}</div>`).join("");
  page.innerHTML = `<h1>Function ${esc(name)}</h1><div class="grid">
  ${card("Configuration", kv({ ARN: c.FunctionArn, runtime: c.Runtime, handler: c.Handler, state: c.State, memory: c.MemorySize, timeout: c.Timeout,
    role: c.Role, "code size": c.CodeSize, "last modified": c.LastModified, environment: c.Environment && c.Environment.Variables, "log group": d.log_group }))}
  ${card("Event source mappings", table(["mapping", "state", "last result"], d.mappings.map((m) => [link(`mapping/${enc(m.uuid)}`, m.uuid.slice(0, 8)),
    pill(m.state, stateKind(m.state)), esc(m.result || "–")]), "no mappings"), "", d.mappings.length)}
  <section class="card"><div class="chart" data-chart="Invocations"></div><div class="chart" data-chart="Errors"></div></section>
  ${card("Recent invocations", table(["request id", "#duration ms", "start", "result", "time"], d.invocations.map((i) => [`<code title="${esc(i.request_id)}">${esc(i.request_id.slice(0, 8))}</code>`,
    i.duration_ms.toFixed(2), i.cold ? pill(`cold, init ${i.init_ms.toFixed(0)} ms`, "warn") : pill("warm"), pill(i.status, i.status === "ok" ? "ok" : "bad"),
    fmtTime(i.timestamp / 1000).slice(11)]), "no invocations yet"), "wide", d.invocations.length)}
  ${card("Log lines", `<div class="logs mono" id="logs">${logLines || '<span class="muted">no log lines yet</span>'}</div>`, "wide", d.logs.length)}
  </div>`;
  const logs = document.getElementById("logs");
  logs.scrollTop = logs.scrollHeight;
  drawCharts(d.charts, { Invocations: "Invocations per second", Errors: "Errors per second" });
}

function failure(f) {
  return `<div class="record"><div class="head">${pill(f.condition || "failure", "bad")}<span>batch of ${esc(f.size)} from <code>${esc(f.shard)}</code></span></div>
    ${kv({ function: f.function, attempts: f.attempts, "first sequence number": f.first, "last sequence number": f.last, stream: f.stream })}
    ${f.stream ? `<p>${link(`stream/${enc(f.stream)}`, "open the stream →")}</p>` : ""}</div>`;
}

async function queuePage(name) {
  const d = await api("queue", { name });
  const a = d.attributes;
  setCrumbs([{ route: "", text: "overview" }, { text: `queue ${name}` }]);
  page.innerHTML = `<h1>Queue ${esc(name)}</h1><div class="grid">
  ${card("Attributes", kv({ URL: d.url, ARN: a.QueueArn, visible: a.ApproximateNumberOfMessages, "in flight": a.ApproximateNumberOfMessagesNotVisible,
    delayed: a.ApproximateNumberOfMessagesDelayed, "visibility timeout": a.VisibilityTimeout, retention: a.MessageRetentionPeriod, redrive: a.RedrivePolicy }))}
  ${card("Messages waiting (peeked, not received)", d.messages.map((m) => `<div class="message" data-id="${esc(m.id)}">
    <p class="muted"><code>${esc(m.id)}</code> · sent ${fmtTime(m.sent)} · received ${m.receive_count}×</p>
    ${m.failure ? failure(m.failure) : ""}<pre>${esc(m.json ? JSON.stringify(m.json, null, 2) : m.body)}</pre></div>`).join("<hr>") ||
    '<p class="muted">no visible messages</p>', "wide", d.messages.length)}
  </div>`;
}

async function topicPage(arn) {
  const d = await api("topic", { arn });
  setCrumbs([{ route: "", text: "overview" }, { text: `topic ${nameOf(arn)}` }]);
  page.innerHTML = `<h1>Topic ${esc(nameOf(arn))}</h1><div class="grid">
  ${card("Attributes", kv(d.attributes))}
  ${card("Subscriptions", table(["protocol", "endpoint", "subscription"], d.subscriptions.map((s) => [esc(s.Protocol),
    s.Protocol === "sqs" ? destinationLink(s.Endpoint) : esc(s.Endpoint), `<code>${esc(nameOf(s.SubscriptionArn))}</code>`]), "no subscriptions"), "", d.subscriptions.length)}
  </div>`;
}

/* --- routing and live updates -------------------------------------------------------------------- */
const PAGES = { "": overview, table: tablePage, stream: streamPage, mapping: mappingPage, function: functionPage, queue: queuePage, topic: topicPage };

function route() {
  const [kind, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { kind: kind || "", arg: decodeURIComponent(rest.join("/")) };
}

async function refresh() {
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  try {
    const r = route();
    const key = `${r.kind}/${r.arg}`;
    if (key !== state.route) { state.route = key; state.start = null; state.key = null; window.scrollTo(0, 0); }
    const render = PAGES[r.kind];
    state.charts.forEach((c) => c.destroy());
    state.charts = [];
    if (!render) page.innerHTML = `<p class="error">no such page: ${esc(location.hash)}</p>`;
    else await render(r.arg);
    document.body.dataset.loaded = String((Number(document.body.dataset.loaded) || 0) + 1);
  } catch (err) {
    page.innerHTML = `<p class="error">${esc(err.message)}</p><p>${link("", "back to the overview")}</p>`;
    document.body.dataset.loaded = String((Number(document.body.dataset.loaded) || 0) + 1);
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; refresh(); }
  }
}

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource(`${BASE}/events`);
  source.addEventListener("hello", () => live.classList.replace("off", "on"));
  source.addEventListener("change", (ev) => { live.dataset.version = ev.data; refresh(); });
  source.onerror = () => live.classList.replace("on", "off");
}

for (const id of ["account", "region"]) {
  const input = document.getElementById(id);
  input.value = scope[id];
  input.addEventListener("change", () => { scope[id] = input.value.trim(); localStorage.setItem(`rb.${id}`, scope[id]); refresh(); });
}
document.getElementById("scope").onsubmit = (ev) => ev.preventDefault();
window.addEventListener("hashchange", refresh);
refresh();
connect();
