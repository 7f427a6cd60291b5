// twinsim dashboard: the pages of `twinsim serve`, drawn from its JSON API (docs/dashboard.md).
// Plain DOM and SVG, no library and nothing from outside the server: the layered layout of the
// model and the charts are drawn here. Every text from the data is set with textContent, never
// parsed as HTML, so a block named <script> shows as text.
// When a page has drawn, document.body.dataset.ready is '1' (the browser test waits for it).
// The static report (`twinsim report`) is this file too: inlined into one HTML file with its data
// in <script id="data">, it draws the report from that and asks nothing of any server.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const STATE_COLORS = { idle: '#cfd8dc', busy: '#2e7d32', blocked: '#ef6c00', down: '#c62828',
    setup: '#6a1b9a', off_shift: '#455a64', waiting: '#0277bd', starved: '#fbc02d' };
  const TYPE_COLORS = { source: '#e3f2fd', buffer: '#fff8e1', machine: '#e8f5e9',
    assembly: '#e8f5e9', delay: '#f3e5f5', split: '#ede7f6', sink: '#eceff1' };
  const main = document.getElementById('main');
  const where = document.getElementById('where');
  const tokenBox = document.getElementById('token');
  let streams = [];

  // The token: from ?token= in the address (then kept for this tab and taken out of the
  // address bar), or typed into the box.
  (function () {
    if (!tokenBox) return; // the static report has none
    const q = new URLSearchParams(location.search);
    if (q.get('token')) {
      sessionStorage.setItem('twinsim-token', q.get('token'));
      history.replaceState(null, '', location.pathname + location.hash);
    }
    tokenBox.value = sessionStorage.getItem('twinsim-token') || '';
    tokenBox.addEventListener('change', () => sessionStorage.setItem('twinsim-token', tokenBox.value));
  })();
  const token = () => (tokenBox ? tokenBox.value.trim() : '');

  function el(tag, attrs, parent, text) {
    const e = tag.startsWith('svg:') ? document.createElementNS(NS, tag.slice(4)) : document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '-';
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(+v.toPrecision(5));
  }
  async function api(path, opts) {
    const r = await fetch(path, opts);
    const body = await r.json().catch(() => ({ error: 'not JSON' }));
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }
  function fail(e) {
    el('p', { class: 'error' }, main, String(e.message || e));
    document.body.dataset.ready = '1';
  }
  function ticks(lo, hi, n) {
    let st = Math.pow(10, Math.floor(Math.log10((hi - lo) / n || 1)));
    const m = (hi - lo) / n / st;
    st *= m > 5 ? 10 : m > 2 ? 5 : m > 1 ? 2 : 1;
    const t = [];
    for (let v = Math.ceil(lo / st) * st; v <= hi + st * 1e-9; v += st) t.push(v);
    return t;
  }

  // ---- means with 95% intervals, on an axis fitted to the intervals ------------------------
  // The axis starts at 0 only when the intervals come near it, so that values a percent apart
  // look apart. items: [{label, mean, half_width, title}].
  function fittedRange(items) {
    let lo = Infinity, hi = -Infinity;
    for (const x of items) {
      if (!isFinite(x.mean)) continue;
      const e = isFinite(x.half_width) ? x.half_width : 0;
      lo = Math.min(lo, x.mean - e); hi = Math.max(hi, x.mean + e);
    }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo <= Math.abs(hi) * 1e-12) { const d = Math.abs(hi) * 0.01 || 1; lo -= d; hi += d; }
    const pad = (hi - lo) * 0.1;
    if (lo >= 0 && (lo - pad <= 0 || lo <= (hi - lo) * 0.5)) lo = 0; else lo -= pad;
    return [lo, hi + pad];
  }
  function intervalChart(box, items, caption) {
    box.textContent = '';
    const n = items.length, w = Math.max(320, Math.min(1200, 70 + n * 40)), h = 280, l = 70, b = 50, t = 12;
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img' }, box);
    const [lo, hi] = fittedRange(items);
    const y = (q) => t + (h - t - b) * (1 - (q - lo) / (hi - lo));
    for (const v of ticks(lo, hi, 5)) {
      el('svg:line', { x1: l, x2: w - 8, y1: y(v), y2: y(v), stroke: '#eee' }, s);
      el('svg:text', { x: l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, s, fmt(v));
    }
    const bw = (w - l - 8) / Math.max(1, n);
    items.forEach((x, i) => {
      if (!isFinite(x.mean)) return;
      const cx = l + bw * i + bw / 2, col = x.color || '#1565c0';
      if (isFinite(x.half_width)) {
        el('svg:line', { x1: cx, x2: cx, y1: y(x.mean - x.half_width), y2: y(x.mean + x.half_width),
          stroke: col, 'stroke-width': 2, class: 'ci', 'data-lo': x.mean - x.half_width,
          'data-hi': x.mean + x.half_width }, s);
      }
      const c = el('svg:circle', { cx, cy: y(x.mean), r: 4.5, fill: col, class: 'mean', 'data-mean': x.mean }, s);
      el('svg:title', {}, c, `${x.title || x.label}: ${fmt(x.mean)} ± ${fmt(x.half_width)}`);
      el('svg:text', { x: cx, y: h - b + 14, 'text-anchor': 'middle', class: 'axis' }, s, x.label);
    });
    el('svg:text', { x: l, y: h - 12, class: 'axis' }, s, caption + (lo > 0 ? ' (the axis does not start at 0)' : ''));
    s.dataset.lo = lo; s.dataset.hi = hi; s.dataset.top = t; s.dataset.bottom = h - b;
    return s;
  }

  // ---- the model's layout: a layered drawing of its graph ----------------------------------
  // Layers by longest path from the sources over the graph without its back edges (found by a
  // depth-first search from the sources in model order); order within a layer by the mean
  // position of neighbours, four sweeps down and up. O((blocks + links) x sweeps).
  function layered(nb, links) {
    const out = Array.from({ length: nb }, () => []), indeg = new Array(nb).fill(0);
    for (const [a, b] of links) { out[a].push(b); indeg[b]++; }
    const mark = new Array(nb).fill(0), back = new Set();
    const visit = (root) => {
      const stack = [[root, 0]]; mark[root] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1], v = top[0];
        if (top[1] < out[v].length) {
          const w = out[v][top[1]++];
          if (mark[w] === 1) back.add(v + '>' + w);
          else if (mark[w] === 0) { mark[w] = 1; stack.push([w, 0]); }
        } else { mark[v] = 2; stack.pop(); }
      }
    };
    for (let v = 0; v < nb; v++) if (indeg[v] === 0 && !mark[v]) visit(v);
    for (let v = 0; v < nb; v++) if (!mark[v]) visit(v);
    const fwd = links.filter(([a, b]) => !back.has(a + '>' + b) && a !== b);
    const din = new Array(nb).fill(0), succ = Array.from({ length: nb }, () => []);
    const pred = Array.from({ length: nb }, () => []);
    for (const [a, b] of fwd) { din[b]++; succ[a].push(b); pred[b].push(a); }
    const layer = new Array(nb).fill(0), queue = [];
    for (let v = 0; v < nb; v++) if (din[v] === 0) queue.push(v);
    for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi];
      for (const w of succ[v]) { layer[w] = Math.max(layer[w], layer[v] + 1); if (--din[w] === 0) queue.push(w); }
    }
    const nl = Math.max(0, ...layer) + 1, layers = Array.from({ length: nl }, () => []);
    for (let v = 0; v < nb; v++) layers[layer[v]].push(v);
    const pos = new Array(nb).fill(0);
    const place = () => layers.forEach((L) => L.forEach((v, i) => { pos[v] = i; }));
    place();
    const bary = (v, nbrs) => nbrs.length ? nbrs.reduce((s, u) => s + pos[u], 0) / nbrs.length : pos[v];
    for (let sweep = 0; sweep < 4; sweep++) {
      const down = sweep % 2 === 0;
      const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
      for (const L of order) {
        const key = new Map(L.map((v) => [v, bary(v, down ? pred[v] : succ[v])]));
        L.sort((a, b) => key.get(a) - key.get(b) || a - b);
        L.forEach((v, i) => { pos[v] = i; });
      }
    }
    return { layer, pos, layers, back };
  }

  function drawLayout(box, lay, kpis) {
    box.textContent = '';
    const { layer, pos, layers, back } = layered(lay.blocks.length, lay.links);
    const bw = 150, bh = 46, gx = 60, gy = 22, pad = 16;
    const rows = Math.max(1, ...layers.map((L) => L.length));
    const w = pad * 2 + layers.length * (bw + gx) - gx, h = pad * 2 + rows * (bh + gy) - gy + 20;
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'layout' }, box);
    const xy = (v) => {
      const L = layers[layer[v]], off = (rows - L.length) * (bh + gy) / 2;
      return [pad + layer[v] * (bw + gx), pad + off + pos[v] * (bh + gy)];
    };
    const links = el('svg:g', {}, s);
    for (const [a, b] of lay.links) {
      const [x1, y1] = xy(a), [x2, y2] = xy(b), isBack = back.has(a + '>' + b) || a === b;
      let d;
      if (!isBack) {
        const sx = x1 + bw, sy = y1 + bh / 2, tx = x2, ty = y2 + bh / 2, mx = (sx + tx) / 2;
        d = `M${sx},${sy} C${mx},${sy} ${mx},${ty} ${tx},${ty}`;
      } else {
        const sx = x1 + bw / 2, sy = y1 + bh, tx = x2 + bw / 2, ty = y2 + bh, dy = Math.max(sy, ty) + 18;
        d = `M${sx},${sy} C${sx},${dy} ${tx},${dy} ${tx},${ty}`;
      }
      el('svg:path', { d, class: isBack ? 'link back' : 'link', 'data-from': a, 'data-to': b }, links);
    }
    lay.blocks.forEach((b, v) => {
      const [x, y] = xy(v);
      const g = el('svg:g', { class: 'block', 'data-index': v, transform: `translate(${x},${y})` }, s);
      g.dataset.name = b.name;
      g.dataset.type = b.type;
      const k = kpis.get(b.name) || {};
      // Machines are shaded by utilisation (darker: busier); others by their type.
      let fill = TYPE_COLORS[b.type] || '#fff';
      if (k.utilization && isFinite(k.utilization.mean)) {
        const u = Math.max(0, Math.min(1, k.utilization.mean));
        fill = `hsl(120, 45%, ${Math.round(92 - 45 * u)}%)`;
      }
      el('svg:rect', { width: bw, height: bh, rx: 5, fill }, g);
      el('svg:text', { x: 6, y: 16, class: 'name' }, g, b.name.length > 22 ? b.name.slice(0, 21) + '…' : b.name);
      let sub = b.type;
      if (k.utilization) sub += ` · ${(100 * k.utilization.mean).toFixed(1)}% busy`;
      else if (k.content) sub += ` · content ${fmt(k.content.mean)}`;
      else if (k.throughput) sub += ` · ${fmt(k.throughput.mean)}/${lay.time_unit || 'unit'}`;
      el('svg:text', { x: 6, y: 34, class: 'sub' }, g, sub);
      el('svg:title', {}, g, `${b.name} (${b.type})`);
    });
    return s;
  }

  // ---- Gantt chart of machine states ----------------------------------------------------------
  function drawGantt(box, gd) {
    box.textContent = '';
    const l = 150, r = 16, rowh = 22, t = 8, w = Math.max(360, Math.min(1200, box.clientWidth || 1000));
    const h = t + gd.rows.length * rowh + 40;
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'gantt' }, box);
    const end = gd.end > 0 ? gd.end : 1, x = (q) => l + (w - l - r) * q / end;
    for (const v of ticks(0, end, 6)) {
      el('svg:line', { x1: x(v), x2: x(v), y1: t, y2: h - 32, stroke: '#eee' }, s);
      el('svg:text', { x: x(v), y: h - 20, 'text-anchor': 'middle', class: 'axis' }, s, fmt(v));
    }
    gd.rows.forEach((row, i) => {
      el('svg:text', { x: l - 6, y: t + i * rowh + 15, 'text-anchor': 'end', class: 'axis' }, s,
        gd.rows.filter((q) => q.block === row.block).length > 1 ? `${row.block} #${row.server + 1}` : row.block);
    });
    // A segment narrower than a quarter pixel cannot be seen: it is left out (the count drawn
    // is in data-drawn), which keeps a long replication's chart light.
    let drawn = 0;
    const g = el('svg:g', {}, s);
    gd.segments.forEach(([row, st, t0, t1], i) => {
      const wd = x(t1) - x(t0);
      if (wd < 0.25) return;
      const name = gd.states[st];
      const rc = el('svg:rect', { x: x(t0), y: t + row * rowh + 3, width: wd, height: rowh - 6,
        fill: STATE_COLORS[name] || '#999', class: 'seg ' + name, 'data-i': i }, g);
      el('svg:title', {}, rc, `${gd.rows[row].block}: ${name} ${fmt(t0)}–${fmt(t1)} ${gd.time_unit}`);
      drawn++;
    });
    if (gd.warmup > 0)
      el('svg:line', { x1: x(gd.warmup), x2: x(gd.warmup), y1: t, y2: h - 32, stroke: '#000', 'stroke-dasharray': '3 3' }, s);
    el('svg:text', { x: l, y: h - 4, class: 'axis' }, s, `time (${gd.time_unit})` + (gd.warmup > 0 ? '; dashed: end of warm-up' : ''));
    s.dataset.drawn = drawn; s.dataset.left = l; s.dataset.right = w - r; s.dataset.end = end;
    const lg = el('div', { class: 'legend' }, box);
    for (const name of gd.states) {
      const sp = el('span', {}, lg);
      const i = el('i', {}, sp);
      i.style.background = STATE_COLORS[name] || '#999';
      sp.appendChild(document.createTextNode(name));
    }
    return s;
  }

  // ---- time series of a recorded trace ---------------------------------------------------------
  // series: [{name, values, color}] over the sample times `t`. Lines join the samples; a series
  // with more samples than two per pixel is drawn as each pixel column's lowest and highest
  // value, so that no peak is lost and the line stays light (data-decimated says which).
  const SERIES_COLORS = ['#1565c0', '#2e7d32', '#c62828', '#ef6c00', '#6a1b9a', '#00838f',
    '#5d4037', '#455a64', '#ad1457', '#9e9d24', '#283593', '#00695c'];
  function seriesChart(box, t, series, caption, tr) {
    box.textContent = '';
    const l = 60, r = 16, top = 10, b = 44, h = 240, w = Math.max(320, Math.min(1200, box.clientWidth || 1000));
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'series' }, box);
    const end = t.length ? Math.max(t[t.length - 1], 1e-300) : 1;
    let hi = 0;
    for (const q of series) for (const v of q.values) if (isFinite(v) && v > hi) hi = v;
    if (!(hi > 0)) hi = 1;
    hi *= 1.05;
    const x = (q) => l + (w - l - r) * q / end, y = (q) => top + (h - top - b) * (1 - q / hi);
    for (const v of ticks(0, hi, 4)) {
      el('svg:line', { x1: l, x2: w - r, y1: y(v), y2: y(v), stroke: '#eee' }, s);
      el('svg:text', { x: l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, s, fmt(v));
    }
    for (const v of ticks(0, end, 6))
      el('svg:text', { x: x(v), y: h - b + 14, 'text-anchor': 'middle', class: 'axis' }, s, fmt(v));
    if (tr.warmup > 0)
      el('svg:line', { x1: x(tr.warmup), x2: x(tr.warmup), y1: top, y2: h - b, stroke: '#000', 'stroke-dasharray': '3 3' }, s);
    const cols = w - l - r, decimate = t.length > 2 * cols;
    series.forEach((q, i) => {
      const pts = [];
      if (!decimate) {
        q.values.forEach((v, k) => pts.push(`${x(t[k]).toFixed(2)},${y(v).toFixed(2)}`));
      } else {
        let c = -1, lo = 0, hi2 = 0;
        const flush = () => { if (c >= 0) pts.push(`${l + c + 0.5},${y(lo).toFixed(2)}`, `${l + c + 0.5},${y(hi2).toFixed(2)}`); };
        q.values.forEach((v, k) => {
          const cc = Math.min(cols - 1, Math.floor(x(t[k]) - l));
          if (cc !== c) { flush(); c = cc; lo = hi2 = v; } else { lo = Math.min(lo, v); hi2 = Math.max(hi2, v); }
        });
        flush();
      }
      const pl = el('svg:polyline', { points: pts.join(' '), fill: 'none', stroke: q.color || SERIES_COLORS[i % SERIES_COLORS.length],
        'stroke-width': 1.5, class: 'line' }, s);
      pl.dataset.name = q.name;
      el('svg:title', {}, pl, q.name);
    });
    el('svg:text', { x: l, y: h - 8, class: 'axis' }, s,
      `${caption}; time (${tr.time_unit})` + (tr.warmup > 0 ? '; dashed: end of warm-up' : ''));
    s.dataset.left = l; s.dataset.right = w - r; s.dataset.top = top; s.dataset.bottom = h - b;
    s.dataset.end = end; s.dataset.hi = hi; s.dataset.decimated = decimate ? '1' : '0';
    if (series.length > 1) {
      const lg = el('div', { class: 'legend' }, box);
      series.forEach((q, i) => {
        const sp = el('span', {}, lg), c = el('i', {}, sp);
        c.style.background = q.color || SERIES_COLORS[i % SERIES_COLORS.length];
        sp.appendChild(document.createTextNode(q.name));
      });
    }
    return s;
  }

  // The trace's charts: WIP, throughput per interval (completions in the interval before each
  // sample, over its length), buffer contents and machines' busy servers, 12 lines at most each.
  function drawTrace(box, tr) {
    box.textContent = '';
    el('p', { class: 'note', id: 'trace-summary' }, box,
      `replication ${tr.replication}, ${tr.samples} samples every ${fmt(tr.interval)} ${tr.time_unit}` +
      (tr.truncated ? ' (cut off at the sample limit before the end of the run)' : ''));
    const thr = tr.done.map((d, k) => (k === 0 ? 0 : (d - tr.done[k - 1]) / (tr.t[k] - tr.t[k - 1])));
    const add = (id, title) => { el('h3', {}, box, title); return el('div', { class: 'chart', id }, box); };
    seriesChart(add('trace-wip', 'Work in process'), tr.t, [{ name: 'wip', values: tr.wip }], 'entities in the system', tr);
    seriesChart(add('trace-throughput', 'Throughput'), tr.t, [{ name: 'throughput', values: thr }],
      `completions per ${tr.time_unit}, over each interval`, tr);
    const pick = (f) => tr.blocks.filter(f).slice(0, 12);
    const bufs = pick((q) => q.type === 'buffer');
    if (bufs.length)
      seriesChart(add('trace-buffers', 'Buffer contents'), tr.t, bufs.map((q) => ({ name: q.name, values: q.content })),
        'entities in each buffer' + (tr.blocks.filter((q) => q.type === 'buffer').length > 12 ? ' (the first 12)' : ''), tr);
    const mach = pick((q) => q.busy);
    if (mach.length)
      seriesChart(add('trace-busy', 'Busy servers'), tr.t, mach.map((q) => ({ name: q.name, values: q.busy })),
        'servers busy in each machine' + (tr.blocks.filter((q) => q.busy).length > 12 ? ' (the first 12)' : ''), tr);
  }

  function table(parent, heads, rows) {
    const wrap = el('div', { class: 'scroll' }, parent), t = el('table', {}, wrap), tr = el('tr', {}, t);
    heads.forEach((h, i) => el('th', { class: i === 0 ? 'l' : '' }, tr, h));
    for (const r of rows) {
      const row = el('tr', {}, t);
      r.forEach((c, i) => {
        const td = el('td', { class: i === 0 || (c && c.nodeType) ? 'l' : '' }, row);
        if (c && c.nodeType) td.appendChild(c); else td.textContent = c === null || c === undefined ? '-' : String(c);
      });
    }
    return t;
  }
  const link = (href, text) => { const a = el('a', { href }, null, text); return a; };

  // ---- pages --------------------------------------------------------------------------------
  async function pageHome() {
    where.textContent = 'runs';
    document.body.dataset.page = 'home';
    const [runs, exps, models] = await Promise.all([api('/api/runs?limit=200'),
      api('/api/experiments?limit=100'), api('/api/models')]);
    el('h1', {}, main, 'Runs');
    table(main, ['run', 'model', 'created', 'replications', 'horizon', 'events', 'fingerprint'],
      runs.map((r) => [link(`#/run/${r.id}`, '#' + r.id), r.model, r.created, r.replications,
        `${fmt(r.horizon)} ${r.time_unit}`, r.events, r.fingerprint])).id = 'runs';
    el('h2', {}, main, 'Experiments');
    if (exps.length) {
      table(main, ['experiment', 'kind', 'model', 'status', 'started'],
        exps.map((x) => [link(`#/experiment/${x.id}`, '#' + x.id), x.kind, x.model, x.status, x.started])).id = 'experiments';
    } else el('p', { class: 'note' }, main, 'none recorded');
    el('h2', {}, main, 'Start a run');
    if (!models.length) { el('p', { class: 'note' }, main, 'no model files (twinsim serve --models DIR)'); } else {
      const f = el('form', { id: 'start' }, main);
      const sel = el('select', { name: 'model', id: 'start-model' }, f);
      for (const m of models) el('option', { value: m }, sel, m);
      el('label', {}, f, ' replications ');
      el('input', { name: 'replications', id: 'start-reps', type: 'number', min: 1, max: 100000, value: 10, size: 6 }, f);
      el('button', { type: 'submit' }, f, 'start');
      const msg = el('p', { class: 'note', id: 'start-msg' }, main);
      f.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const q = new URLSearchParams({ model: sel.value, replications: f.replications.value });
        try {
          const j = await api('/api/runs?' + q, { method: 'POST', headers: { Authorization: 'Bearer ' + token() } });
          location.hash = `#/job/${j.job}`;
        } catch (e) { msg.textContent = 'not started: ' + e.message; msg.className = 'error'; }
      });
    }
    document.body.dataset.ready = '1';
  }

  function kpiMap(kpis) {
    const byBlock = new Map();
    for (const k of kpis) {
      if (!byBlock.has(k.owner)) byBlock.set(k.owner, {});
      byBlock.get(k.owner)[k.kpi] = k;
    }
    return byBlock;
  }
  const kpiKey = (k) => `${k.scope === 'system' ? 'system' : k.owner}.${k.kpi}`;

  async function pageRun(id) {
    where.textContent = `run ${id}`;
    document.body.dataset.page = 'run';
    const d = await api(`/api/runs/${id}`);
    const r = d.run;
    el('h1', {}, main, `Run #${r.id}: ${r.model}`);
    el('p', { class: 'note', id: 'run-summary' }, main,
      `${r.replications} replications, seed ${r.seed}, horizon ${fmt(r.horizon)} ${r.time_unit}, warm-up ${fmt(r.warmup)}, ` +
      `${r.events} events, fingerprint ${r.fingerprint}, recorded ${r.created}`);

    el('h2', {}, main, 'Layout');
    const lbox = el('div', { class: 'chart', id: 'layout' }, main);
    el('h2', {}, main, 'KPI over the runs of this model (mean and 95% interval)');
    const sel = el('select', { id: 'kpi-select' }, main);
    const kbox = el('div', { class: 'chart', id: 'kpi-chart' }, main);
    el('h2', {}, main, 'Machine states, replication 0');
    const gbox = el('div', { class: 'chart', id: 'gantt' }, main);
    el('h2', {}, main, 'Time series, replication 0');
    const tbox = el('div', { id: 'trace' }, main);
    el('h2', {}, main, 'KPIs');
    // A large model has tens of thousands of KPIs: their table is built when it is opened.
    const det = el('details', { id: 'kpi-details' }, main);
    el('summary', {}, det, `${d.kpis.length} KPIs`);
    const kpiTable = () => {
      if (document.getElementById('kpi-table')) return;
      table(det, ['owner', 'kpi', 'mean', '± 95%', 'sd', 'min', 'max', 'n'],
        d.kpis.map((k) => [k.scope === 'system' ? 'system' : k.owner, k.kpi, fmt(k.mean), fmt(k.half_width),
          fmt(k.sd), fmt(k.min), fmt(k.max), k.n])).id = 'kpi-table';
    };
    det.addEventListener('toggle', kpiTable);
    if (d.kpis.length <= 500) { det.open = true; kpiTable(); }

    const lay = await api(`/api/runs/${id}/layout`).catch((e) => ({ error: e }));
    if (lay.error) el('p', { class: 'error' }, lbox, lay.error.message);
    else { lay.time_unit = r.time_unit; drawLayout(lbox, lay, kpiMap(d.kpis)); }

    // The same KPI over the newest runs of this model (up to 20), this run among them.
    const others = (await api(`/api/runs?limit=20&model=${encodeURIComponent(r.model)}`)).reverse();
    const docs = await Promise.all(others.map((o) => (o.id === r.id ? Promise.resolve(d) : api(`/api/runs/${o.id}`))));
    const names = d.kpis.map(kpiKey);
    for (const n of names) el('option', { value: n }, sel, n);
    sel.value = names.includes('system.throughput') ? 'system.throughput' : names[0];
    const drawKpis = () => {
      const items = docs.map((doc) => {
        const k = doc.kpis.find((q) => kpiKey(q) === sel.value) || {};
        return { label: '#' + doc.run.id, mean: k.mean ?? NaN, half_width: k.half_width ?? NaN,
          color: doc.run.id === r.id ? '#2e7d32' : '#1565c0', run: doc.run.id };
      });
      intervalChart(kbox, items, `${sel.value}; green: this run`);
    };
    sel.addEventListener('change', drawKpis);
    drawKpis();

    try { drawGantt(gbox, await api(`/api/runs/${id}/gantt?replication=0`)); } catch (e) {
      el('p', { class: 'note', id: 'gantt-note' }, gbox, e.message);
    }
    if (!d.trace) {
      el('p', { class: 'note', id: 'trace-note' }, tbox, 'no trace recorded (twinsim run --trace T records one)');
    } else {
      try { drawTrace(tbox, await api(`/api/runs/${id}/trace`)); } catch (e) {
        el('p', { class: 'note', id: 'trace-note' }, tbox, e.message);
      }
    }
    document.body.dataset.ready = '1';
  }

  // ---- an experiment's scenarios ---------------------------------------------------------------
  // The KPI per scenario, the machines' state shares and the scenario table, drawn from the
  // experiment's result document (as `twinsim show ID --json` prints it): by the experiment page
  // from the API, by the static report (`twinsim report`) from the data inlined in it.
  const scenarioLabel = (s) => Object.entries(s.factors || {}).map(([k, v]) => `${k}=${v}`).join(', ');
  const hasBest = (R) => R.best !== undefined && R.best !== null;
  function scenarioSelect(parent, id, R) {
    const sel = el('select', { id }, el('label', {}, parent, 'scenario '));
    R.scenarios.forEach((s, i) => el('option', { value: String(i) }, sel, `#${s.id} ${scenarioLabel(s)}`));
    sel.value = String(hasBest(R) ? R.best : 0);
    return sel;
  }
  // The objective or any KPI per scenario: the best in dark green, those not told apart from it
  // in light green.
  function scenarioKpis(main, R) {
    el('h2', {}, main, 'KPI per scenario (mean and 95% confidence interval)');
    const sel = el('select', { id: 'kpi-select' }, el('label', {}, main, 'KPI '));
    const names = (R.objective ? ['objective'] : []).concat(R.kpis || []);
    for (const n of names) el('option', { value: n }, sel, n);
    if (!R.objective && names.includes('system.throughput')) sel.value = 'system.throughput';
    const box = el('div', { class: 'chart', id: 'kpi-chart' }, main);
    const draw = () => {
      const items = R.scenarios.map((s, i) => {
        const k = sel.value === 'objective' ? s.objective : (s.kpis || {})[sel.value];
        return { label: '#' + s.id, title: `#${s.id} ${scenarioLabel(s)}`, mean: k ? k.mean : NaN,
          half_width: k ? k.half_width : NaN,
          color: R.best === i ? '#2e7d32' : s.indistinguishable_from_best ? '#81c784' : '#1565c0' };
      });
      intervalChart(box, items, sel.value + (hasBest(R) ? '; dark green: best, light green: not told apart from it' : ''));
    };
    sel.addEventListener('change', draw);
    draw();
  }
  // Each machine's share of time in each state (its `states.*` KPIs), stacked, for one scenario.
  const SHARE_STATES = ['busy', 'setup', 'waiting', 'blocked', 'starved', 'down', 'off_shift', 'idle'];
  function shareChart(box, machines, scen) {
    box.textContent = '';
    const l = 140, r = 20, rowh = 28, t = 10, w = Math.max(320, Math.min(1200, box.clientWidth || 760));
    const h = t + Math.max(1, machines.length) * rowh + 24;
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'shares' }, box);
    const x = (v) => l + (w - l - r) * v;
    for (const v of ticks(0, 1, 5)) {
      el('svg:line', { x1: x(v), x2: x(v), y1: t, y2: h - 24, stroke: '#eee' }, s);
      el('svg:text', { x: x(v), y: h - 10, 'text-anchor': 'middle', class: 'axis' }, s, Math.round(v * 100) + '%');
    }
    machines.forEach((m, i) => {
      const y = t + i * rowh;
      el('svg:text', { x: l - 6, y: y + rowh / 2 + 2, 'text-anchor': 'end', class: 'axis' }, s, m.length > 22 ? m.slice(0, 21) + '…' : m);
      let acc = 0;
      for (const st of SHARE_STATES) {
        const k = (scen.kpis || {})[`${m}.states.${st}`];
        if (!k || !isFinite(k.mean) || k.mean <= 0) continue;
        const rc = el('svg:rect', { x: x(acc), y, width: Math.max(0.5, x(k.mean) - l), height: rowh - 8,
          fill: STATE_COLORS[st] || '#999', class: 'share ' + st, 'data-block': m, 'data-state': st, 'data-mean': k.mean }, s);
        el('svg:title', {}, rc, `${m} ${st}: ${(100 * k.mean).toFixed(1)}%`);
        acc += k.mean;
      }
    });
    s.dataset.left = l; s.dataset.right = w - r;
    const lg = el('div', { class: 'legend' }, box);
    for (const st of SHARE_STATES) {
      const sp = el('span', {}, lg), c = el('i', {}, sp);
      c.style.background = STATE_COLORS[st] || '#999';
      sp.appendChild(document.createTextNode(st));
    }
    return s;
  }
  function scenarioStates(main, R) {
    const machines = [];
    for (const k of R.kpis || []) {
      const p = k.indexOf('.states.');
      if (p > 0 && !machines.includes(k.slice(0, p))) machines.push(k.slice(0, p));
    }
    el('h2', {}, main, 'Machine states');
    const sel = scenarioSelect(main, 'state-select', R);
    const box = el('div', { class: 'chart', id: 'state-chart' }, main);
    const draw = () => shareChart(box, machines, R.scenarios[+sel.value]);
    sel.addEventListener('change', draw);
    draw();
  }
  // One row a scenario: its factors, replications, objective (and whether it meets the
  // constraints) and throughput; the best row bold, those not told apart from it shaded.
  function scenarioTable(main, R) {
    el('h2', {}, main, 'Scenarios');
    const fs = (R.factors || []).map((f) => f.name);
    const both = (k) => (k ? `${fmt(k.mean)} ± ${fmt(k.half_width)}` : '-');
    const t = table(main, ['#', ...fs, 'reps', ...(R.objective ? ['objective', 'feasible'] : []), 'throughput'],
      R.scenarios.map((s) => ['#' + s.id, ...fs.map((f) => (s.factors || {})[f]), s.replications,
        ...(R.objective ? [both(s.objective), s.feasible ? 'yes' : 'no'] : []), both((s.kpis || {})['system.throughput'])]));
    t.id = 'scenarios';
    R.scenarios.forEach((s, i) => {
      const cls = R.best === i ? 'best' : s.indistinguishable_from_best ? 'same' : '';
      if (cls) t.rows[i + 1].className = cls;
    });
  }

  async function pageExperiment(id) {
    where.textContent = `experiment ${id}`;
    document.body.dataset.page = 'experiment';
    const x = await api(`/api/experiments/${id}`);
    el('h1', {}, main, `Experiment #${id}: ${x.model || ''}`);
    const R = x.result;
    if (!R || !R.scenarios) { el('p', { class: 'note' }, main, `status ${x.status}: no results yet`); document.body.dataset.ready = '1'; return; }
    el('p', { class: 'note' }, main, `${R.scenarios.length} scenarios, ${x.kind}, status ${x.status}`);
    scenarioKpis(main, R);
    scenarioStates(main, R);
    scenarioTable(main, R);
    await drawExpTraces(main, x.traces || [], R, (k) => api(`/api/experiments/${id}/trace?scenario=${k}`));
    document.body.dataset.ready = '1';
  }

  // The experiment's traces (`experiment --trace T`): work in process and throughput of each
  // sampled scenario, one line per scenario (the first 12) on one chart, then every chart of one
  // scenario's trace, the scenario picked from a list. get(k): a promise of scenario k's trace
  // (the API's answer on the served page, the inlined document in the static report).
  async function drawExpTraces(main, scens, R, get) {
    el('h2', {}, main, 'Time series');
    const box = el('div', { id: 'exp-trace' }, main);
    if (!scens.length) {
      el('p', { class: 'note', id: 'exp-trace-note' }, box,
        'no traces recorded (twinsim experiment --trace T records one per scenario)');
      return;
    }
    const shown = scens.slice(0, 12);
    let trs;
    try {
      trs = await Promise.all(shown.map(get));
    } catch (e) { el('p', { class: 'note', id: 'exp-trace-note' }, box, e.message); return; }
    const name = (k) => '#' + ((R.scenarios[k] && R.scenarios[k].id !== undefined) ? R.scenarios[k].id : k);
    const longest = trs.reduce((a, q) => (q.t.length > a.t.length ? q : a), trs[0]);
    el('p', { class: 'note', id: 'exp-trace-summary' }, box,
      `replication ${longest.replication} of ${scens.length} scenarios, sampled every ${fmt(longest.interval)} ${longest.time_unit}` +
      (scens.length > 12 ? '; the first 12 drawn together' : ''));
    const add = (cid, title) => { el('h3', {}, box, title); return el('div', { class: 'chart', id: cid }, box); };
    seriesChart(add('exp-trace-wip', 'Work in process per scenario'), longest.t,
      trs.map((q, i) => ({ name: name(shown[i]), values: q.wip })), 'entities in the system', longest);
    seriesChart(add('exp-trace-throughput', 'Throughput per scenario'), longest.t,
      trs.map((q, i) => ({ name: name(shown[i]),
        values: q.done.map((d, k) => (k === 0 ? 0 : (d - q.done[k - 1]) / (q.t[k] - q.t[k - 1]))) })),
      `completions per ${longest.time_unit}, over each interval`, longest);
    el('h3', {}, box, 'One scenario');
    const pick = el('select', { id: 'exp-trace-select' }, box);
    for (const k of scens) el('option', { value: String(k) }, pick, name(k));
    const one = el('div', { id: 'trace' }, box);
    const show = async () => {
      try { drawTrace(one, await get(+pick.value)); } catch (e) {
        one.textContent = '';
        el('p', { class: 'note', id: 'trace-note' }, one, e.message);
      }
      box.dataset.scenario = pick.value;
    };
    pick.addEventListener('change', show);
    await show();
  }

  // A started run, live: each event of its stream redraws the progress; the last links the run.
  async function pageJob(id) {
    where.textContent = `job ${id}`;
    document.body.dataset.page = 'job';
    const j = await api(`/api/jobs/${id}`);
    el('h1', {}, main, `Run of ${j.model}`);
    const bar = el('progress', { id: 'progress', max: j.replications, value: j.done }, main);
    const txt = el('p', { id: 'job-state' }, main);
    const show = (s) => {
      bar.max = s.replications; bar.value = s.done;
      bar.dataset.done = s.done; bar.dataset.events = +(bar.dataset.events || 0) + 1;
      txt.textContent = `${s.state}: ${s.done} of ${s.replications} replications` + (s.error ? ` (${s.error})` : '');
      if (s.run) { txt.appendChild(document.createTextNode(' ')); txt.appendChild(link(`#/run/${s.run}`, `run #${s.run}`)); }
    };
    show(j);
    const es = new EventSource(`/api/jobs/${id}/events?token=${encodeURIComponent(token())}`);
    streams.push(es);
    const onEvent = (ev) => { show(JSON.parse(ev.data)); };
    es.addEventListener('progress', onEvent);
    es.addEventListener('end', (ev) => { onEvent(ev); es.close(); document.body.dataset.ended = '1'; });
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) txt.classList.add('error'); };
    document.body.dataset.ready = '1';
  }


  // ---- the live twin (`twinsim twin --serve`) ---------------------------------------------------
  // Colours of the plant's machine states as the twin reports them (docs/twin.md's words).
  // 'unknown': the plant has not said yet.
  const LIVE_COLORS = { running: '#66bb6a', idle: '#cfd8dc', down: '#e57373', setup: '#ba68c8', off: '#90a4ae',
    unknown: '#bdbdbd' };
  // A machine with servers in several states shows the one that matters most to a shift lead.
  const LIVE_RANK = ['down', 'setup', 'running', 'off', 'idle', 'unknown'];
  // Alerts listed on the live page, the newest first (the server keeps 32 for a page opened late).
  const LIVE_ALERTS = 200;
  // Dots of what the plant did drawn on one forecast fan, at most (about one each 2 pixels).
  const LIVE_DOTS = 600;
  function liveState(states) {
    if (!states || !states.length) return 'unknown';
    for (const r of LIVE_RANK) if (states.includes(r)) return r;
    return states[0];
  }
  // Colour and label every block of a drawn layout from the twin's observed state: machines by
  // their state, buffers and other holders darker the fuller they are (relative to the fullest
  // block seen on this page), each labelled with its content.
  function paintLive(svg, obs, seen) {
    const blocks = (obs && obs.blocks) || {}, machines = (obs && obs.machines) || {};
    for (const g of svg.querySelectorAll('g.block')) {
      const name = g.dataset.name, b = blocks[name] || {}, rect = g.querySelector('rect');
      const sub = g.querySelector('text.sub'), type = g.dataset.type;
      let fill, label, st = '';
      if (machines[name]) {
        st = liveState(machines[name]);
        fill = LIVE_COLORS[st] || '#bdbdbd';
        const run = machines[name].filter((q) => q === 'running').length;
        label = `${st} · ${run}/${machines[name].length} running · content ${b.content ?? '-'}`;
      } else if (b.content !== undefined) {
        seen.max = Math.max(seen.max, b.content);
        const f = seen.max > 0 ? b.content / seen.max : 0;
        fill = `hsl(45, 95%, ${Math.round(95 - 40 * f)}%)`;
        label = `${type} · content ${b.content}`;
      } else {
        fill = TYPE_COLORS[type] || '#fff';
        label = `${type} · ${b.entered ?? 0} entered`;
      }
      rect.setAttribute('fill', fill);
      sub.textContent = label;
      g.dataset.state = st;
      g.dataset.content = b.content ?? '';
      g.dataset.entered = b.entered ?? '';
    }
  }

  // The forecast fan: per time, the band between the 5% and 95% quantiles of the replications,
  // inside it the band between 25% and 75%, and the median as a line; what the plant then did
  // (the state at each later forecast of the same horizon) as dots on top. The axis fits the
  // bands and the dots. fan: {t, quantiles, output|wip: [[per time] per quantile]}.
  function fanChart(box, fan, key, actual, caption, unit) {
    box.textContent = '';
    const l = 60, r = 16, top = 10, b = 44, h = 240, w = Math.max(320, Math.min(1200, box.clientWidth || 1000));
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'fan' }, box);
    const qs = fan[key], t = fan.t, nq = qs.length;
    let lo = Infinity, hi = -Infinity;
    for (const row of qs) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    for (const p of actual) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); }
    const [ylo, yhi] = fittedRange([{ mean: (lo + hi) / 2, half_width: (hi - lo) / 2 }]);
    const t0 = t[0], t1 = t[t.length - 1] > t0 ? t[t.length - 1] : t0 + 1;
    const x = (q) => l + (w - l - r) * (q - t0) / (t1 - t0), y = (q) => top + (h - top - b) * (1 - (q - ylo) / (yhi - ylo));
    for (const v of ticks(ylo, yhi, 4)) {
      el('svg:line', { x1: l, x2: w - r, y1: y(v), y2: y(v), stroke: '#eee' }, s);
      el('svg:text', { x: l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, s, fmt(v));
    }
    for (const v of ticks(t0, t1, 6))
      el('svg:text', { x: x(v), y: h - b + 14, 'text-anchor': 'middle', class: 'axis' }, s, fmt(v));
    // Bands from the outside in: quantile i with quantile nq-1-i.
    for (let i = 0; i < Math.floor(nq / 2); i++) {
      const up = qs[nq - 1 - i].map((v, k) => `${x(t[k]).toFixed(2)},${y(v).toFixed(2)}`);
      const down = qs[i].map((v, k) => `${x(t[k]).toFixed(2)},${y(v).toFixed(2)}`).reverse();
      const band = el('svg:polygon', { points: up.concat(down).join(' '), class: 'band',
        fill: '#1565c0', 'fill-opacity': 0.15 + 0.2 * i }, s);
      band.dataset.lo = fan.quantiles[i]; band.dataset.hi = fan.quantiles[nq - 1 - i];
      el('svg:title', {}, band, `${100 * fan.quantiles[i]}% to ${100 * fan.quantiles[nq - 1 - i]}% of the replications`);
    }
    if (nq % 2) {
      const med = qs[(nq - 1) / 2];
      el('svg:polyline', { points: med.map((v, k) => `${x(t[k]).toFixed(2)},${y(v).toFixed(2)}`).join(' '),
        fill: 'none', stroke: '#0d47a1', 'stroke-width': 2, class: 'median' }, s);
    }
    for (const [ta, va] of actual) {
      if (ta < t0 || ta > t1) continue;
      const c = el('svg:circle', { cx: x(ta), cy: y(va), r: 3.5, fill: '#c62828', class: 'actual', 'data-t': ta, 'data-v': va }, s);
      el('svg:title', {}, c, `the plant at ${fmt(ta)}: ${fmt(va)}`);
    }
    el('svg:text', { x: l, y: h - 8, class: 'axis' }, s, `${caption}; time (${unit}); red: what the plant did`);
    Object.assign(s.dataset, { left: l, right: w - r, top, bottom: h - b, lo: ylo, hi: yhi, t0, t1 });
    return s;
  }

  async function pageTwin() {
    where.textContent = 'live twin';
    document.body.dataset.page = 'twin';
    const tw = await api('/api/twin');
    el('h1', {}, main, `Live twin: ${tw.layout ? tw.layout.model : ''}`);
    const sum = el('p', { class: 'note', id: 'twin-summary' }, main);
    el('h2', {}, main, 'Layout, live');
    const lbox = el('div', { class: 'chart', id: 'layout' }, main);
    const lg = el('div', { class: 'legend' }, main);
    for (const k of Object.keys(LIVE_COLORS)) {
      const sp = el('span', {}, lg), c = el('i', {}, sp);
      c.style.background = LIVE_COLORS[k];
      sp.appendChild(document.createTextNode(k));
    }
    el('h2', {}, main, 'Alerts');
    const alist = el('ul', { id: 'twin-alerts' }, main);
    el('h2', {}, main, 'Forecast');
    const fnote = el('p', { class: 'note', id: 'fan-note' }, main, 'no forecast yet');
    el('h3', {}, main, 'Output (parts finished)');
    const fout = el('div', { class: 'chart', id: 'fan-output' }, main);
    el('h3', {}, main, 'Work in process');
    const fwip = el('div', { class: 'chart', id: 'fan-wip' }, main);

    let svg = null;
    const seen = { max: 0 };
    if (tw.layout) svg = drawLayout(lbox, tw.layout, new Map());
    else el('p', { class: 'note' }, lbox, 'the twin gave no layout');

    // The fan shown is the first forecast this page saw for the current horizon; every later
    // one of the same horizon adds where the plant then was (its start) as a dot, unless it is
    // within 1/LIVE_DOTS of the fan's span after the last dot: a twin forecasting every 2 s
    // over an 8-hour shift would otherwise add 14,400 dots, each redraw costlier than the last.
    // Forecasts are drawn on an animation frame, the newest only, as the states.
    let pinned = null, actual = [], fanDue = false;
    const showFan = () => {
      if (!fanDue) requestAnimationFrame(drawFan);
      fanDue = true;
    };
    const drawFan = () => {
      fanDue = false;
      if (!pinned || !pinned.fan) return;
      fnote.textContent = `forecast ${pinned.forecast} at ${fmt(pinned.now)} ${pinned.time_unit} to ${fmt(pinned.horizon)}: ` +
        `${pinned.replications} replications; bands 5-95% and 25-75%, line: median`;
      fanChart(fout, pinned.fan, 'output', actual.map((a) => [a.t, a.output]), 'parts finished', pinned.time_unit);
      fanChart(fwip, pinned.fan, 'wip', actual.map((a) => [a.t, a.wip]), 'entities in the line', pinned.time_unit);
      fout.dataset.forecast = pinned.forecast;
    };
    const onForecast = (f) => {
      if (!f || f.error || !f.fan) { if (f && f.error) fnote.textContent = `forecast ${f.forecast}: ${f.error}`; return; }
      if (!pinned || pinned.horizon !== f.horizon || f.now < pinned.now) { pinned = f; actual = []; }
      const last = actual[actual.length - 1];
      if (!last || (f.now > last.t && f.now - last.t >= (pinned.horizon - pinned.now) / LIVE_DOTS))
        actual.push({ t: f.now, output: f.fan.output[0][0], wip: f.fan.wip[0][0] });
      showFan();
    };
    // The newest LIVE_ALERTS alerts are listed; a twin that raises and clears all day must not
    // grow the page without end. data-count is every alert the page has seen.
    let nalerts = 0;
    const onAlert = (a) => {
      const li = el('li', { class: a.state === 'raised' ? 'error' : 'note' }, null,
        `${a.state}: ${a.alert} (value ${fmt(a.value)}, forecast ${a.forecast} at ${fmt(a.now)})`);
      li.dataset.forecast = a.forecast; li.dataset.state = a.state;
      alist.insertBefore(li, alist.firstChild);
      while (alist.childElementCount > LIVE_ALERTS) alist.lastElementChild.remove();
      alist.dataset.count = ++nalerts;
    };
    // States may come faster than a browser draws: only the newest is drawn, once a frame.
    let pending = null, drawn = 0;
    const onState = (st) => {
      if (!pending) requestAnimationFrame(() => {
        const q = pending;
        pending = null;
        const c = q.counters || {};
        sum.textContent = `plant time ${fmt(q.observed ? q.observed.t : NaN)}; messages received ${c.received}, ` +
          `applied ${c.applied}; forecasts ${c.forecasts}, alerts ${c.alerts}; ${c.connected ? 'connected' : 'not connected'}`;
        if (svg) paintLive(svg, q.observed, seen);
        document.body.dataset.states = ++drawn;
        document.body.dataset.received = c.received;
        document.body.dataset.t = q.observed ? q.observed.t : '';
      });
      pending = st;
    };
    for (const a of tw.alerts || []) onAlert(a);
    if (tw.forecast) onForecast(tw.forecast);
    if (tw.state) onState(tw.state);
    const es = new EventSource(`/api/twin/events?token=${encodeURIComponent(token())}`);
    streams.push(es);
    es.addEventListener('state', (ev) => onState(JSON.parse(ev.data)));
    es.addEventListener('forecast', (ev) => onForecast(JSON.parse(ev.data)));
    es.addEventListener('alert', (ev) => onAlert(JSON.parse(ev.data)));
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) sum.classList.add('error'); };
    document.body.dataset.ready = '1';
  }

  async function route() {
    for (const s of streams) s.close();
    streams = [];
    document.body.dataset.ready = '0';
    delete document.body.dataset.ended;
    main.textContent = '';
    const h = location.hash.replace(/^#\/?/, '').split('/');
    try {
      if (h[0] === 'run' && /^\d+$/.test(h[1])) await pageRun(h[1]);
      else if (h[0] === 'experiment' && /^\d+$/.test(h[1])) await pageExperiment(h[1]);
      else if (h[0] === 'job' && /^\d+$/.test(h[1])) await pageJob(h[1]);
      else if (h[0] === 'twin') await pageTwin();
      else await pageHome();
    } catch (e) { fail(e); }
  }

  // ---- the static report -------------------------------------------------------------------------
  // A buffer's content over time, replication 0 of one scenario, as the experiment stored it
  // (its exact steps, or for a long run each interval's lowest to highest content as a band and
  // its time-weighted mean as a step line). traces: [{name, t, v, lo?, hi?}]; t has one more
  // entry than v where the last step holds to the run's end.
  function bufferChart(box, traces, unit) {
    box.textContent = '';
    if (!traces.length) { el('p', { class: 'note' }, box, 'no trace recorded for this scenario'); return null; }
    const l = 50, r = 24, top = 10, b = 44, h = 240, w = Math.max(320, Math.min(1200, box.clientWidth || 760));
    const s = el('svg:svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', class: 'steps' }, box);
    let end = 0, hi = 1;
    for (const q of traces) {
      for (const v of q.t) if (v > end) end = v;
      for (const v of q.hi || q.v) if (v > hi) hi = v;
    }
    if (!(end > 0)) end = 1;
    const x = (q) => l + (w - l - r) * q / end, y = (q) => top + (h - top - b) * (1 - q / hi);
    for (const v of ticks(0, hi, 4)) {
      el('svg:line', { x1: l, x2: w - r, y1: y(v), y2: y(v), stroke: '#eee' }, s);
      el('svg:text', { x: l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, s, fmt(v));
    }
    for (const v of ticks(0, end, 6))
      el('svg:text', { x: x(v), y: h - b + 14, 'text-anchor': 'middle', class: 'axis' }, s, fmt(v));
    const steps = (q, vals) => {
      let d = '';
      vals.forEach((v, k) => { d += (k ? `H${x(q.t[k]).toFixed(2)}V` : `M${x(q.t[k]).toFixed(2)},`) + y(v).toFixed(2); });
      return q.t.length > vals.length ? d + `H${x(q.t[vals.length]).toFixed(2)}` : d;
    };
    let binned = false;
    traces.forEach((q, i) => {
      const col = SERIES_COLORS[i % SERIES_COLORS.length];
      if (q.lo && q.hi) {
        binned = true;
        let dn = '';
        for (let k = q.lo.length - 1; k >= 0; k--) {
          const x1 = q.t[k + 1] !== undefined ? q.t[k + 1] : q.t[k];
          dn += `L${x(x1).toFixed(2)},${y(q.lo[k]).toFixed(2)}L${x(q.t[k]).toFixed(2)},${y(q.lo[k]).toFixed(2)}`;
        }
        el('svg:path', { d: steps(q, q.hi) + dn + 'Z', fill: col, 'fill-opacity': 0.18, stroke: 'none', class: 'band' }, s);
      }
      const p = el('svg:path', { d: steps(q, q.v), fill: 'none', stroke: col, 'stroke-width': 1.5, class: 'trace' }, s);
      p.dataset.name = q.name;
      el('svg:title', {}, p, q.name);
    });
    el('svg:text', { x: l, y: h - 8, class: 'axis' }, s,
      (binned ? 'line: mean over each interval; band: lowest to highest content; ' : '') + `time (${unit})`);
    Object.assign(s.dataset, { left: l, right: w - r, top, bottom: h - b, end, hi });
    const lg = el('div', { class: 'legend' }, box);
    traces.forEach((q, i) => {
      const sp = el('span', {}, lg), c = el('i', {}, sp);
      c.style.background = SERIES_COLORS[i % SERIES_COLORS.length];
      sp.appendChild(document.createTextNode(q.name));
    });
    return s;
  }

  // The report of an experiment or optimize run: D = {id, run: the result document, traces: the
  // buffer traces, samples: the time series of `experiment --trace`, one per sampled scenario,
  // as the API answers them}. Charts drawn: document.body.dataset.charts.
  async function pageReport(D) {
    const R = D.run;
    main.textContent = '';
    document.body.dataset.page = 'report';
    where.textContent = `${R.kind} #${D.id}`;
    document.title = `twinsim report: ${R.experiment}`;
    el('h1', { id: 'title' }, main, `twinsim ${R.kind}: ${R.experiment}`);
    let sum = `${R.scenarios.length} scenarios, ${R.replications_total} replications, seed ${R.seed}, model ${R.model}.`;
    if (R.objective) {
      const o = R.objective;
      sum += ` Objective: ${o.maximize !== undefined ? 'maximize ' + o.maximize : 'minimize ' + o.minimize}` +
        ((o.subject_to || []).length ? ` subject to ${o.subject_to.join(', ')}` : '') + '.';
      sum += hasBest(R) ? ` Best: #${R.scenarios[R.best].id} ${scenarioLabel(R.scenarios[R.best])}.` : ' No scenario meets the constraints.';
    }
    el('p', { id: 'summary' }, main, sum);
    scenarioKpis(main, R);
    scenarioStates(main, R);
    el('h2', {}, main, 'Buffer content over time (replication 0)');
    const sel = scenarioSelect(main, 'trace-select', R);
    const box = el('div', { class: 'chart', id: 'trace-chart' }, main);
    const draw = () => bufferChart(box, (D.traces || []).filter((q) => q.scen === +sel.value), R.time_unit);
    sel.addEventListener('change', draw);
    draw();
    scenarioTable(main, R);
    const samples = new Map((D.samples || []).map((q) => [q.scenario, q]));
    await drawExpTraces(main, [...samples.keys()], R, async (k) => {
      if (!samples.has(k)) throw new Error(`scenario ${k} has no trace in this report`);
      return samples.get(k);
    });
    document.body.dataset.charts = String(document.querySelectorAll('main .chart > svg').length);
    document.body.dataset.ready = '1';
  }

  const inlined = document.getElementById('data');
  if (inlined) {
    try { pageReport(JSON.parse(inlined.textContent)).catch(fail); } catch (e) { fail(e); }
  } else {
    window.addEventListener('hashchange', route);
    route();
  }
})();
