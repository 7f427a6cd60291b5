// Opens the pages of `twinsim serve` in Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and checks that what they draw is what the JSON API says: the runs table,
// the layout's blocks and links, KPI means and intervals placed on the fitted axis, Gantt
// segments where their times put them, the trace's time series point by point, an experiment's
// scenarios; that a model named <script>... shows as text; that a run started from the
// browser's context sends progress events that arrive while it runs; that nothing but the
// server is ever asked for; and that the pages fit a phone's width. Screenshots at 1280x800
// and 390x844 go to OUTDIR.
// Usage: node dashboard.test.js URL TOKEN OUTDIR   (PASS/FAIL lines; exit 1 on any FAIL)
'use strict';
const fs = require('fs');
const path = require('path');
const browserlib = require('./chromium');

const [base, token, outdir] = process.argv.slice(2);
let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
  if (!ok) failed = 1;
}
async function api(p, opts) {
  const r = await fetch(base + p, opts);
  return r.json();
}
const near = (a, b, tol) => Math.abs(a - b) <= tol;

// The chart in box `box`: one line per [name, values] of `series`, in that order, every point
// where its sample's time (of `t`) and value put it, on an axis whose top is 5% above the
// highest value and whose end is the last sample's time; not reduced per pixel.
async function checkSeries(page, box, series, t, name) {
  const T = await page.evaluate((b) => {
    const s = document.querySelector(`#${b} svg`);
    if (!s) return null;
    const d = s.dataset;
    return { left: +d.left, right: +d.right, top: +d.top, bottom: +d.bottom, end: +d.end, hi: +d.hi,
      decimated: d.decimated, lines: Array.from(s.querySelectorAll('polyline.line')).map((p) => [p.dataset.name,
        p.getAttribute('points').split(' ').map((q) => q.split(',').map(Number))]) };
  }, box);
  const label = `dashboard_${name.replace(/-/g, '_')}`;
  if (!T) { check(label, false, 'not drawn'); return; }
  let hi = 0;
  for (const [, v] of series) for (const q of v) hi = Math.max(hi, q);
  let bad = 0, n = 0;
  series.forEach(([nm, v], i) => {
    const line = T.lines[i];
    if (!line || line[0] !== nm || line[1].length !== v.length) { bad++; return; }
    v.forEach((q, k) => {
      const x = T.left + (T.right - T.left) * t[k] / T.end, y = T.top + (T.bottom - T.top) * (1 - q / T.hi);
      if (!near(line[1][k][0], x, 0.006) || !near(line[1][k][1], y, 0.006)) bad++;
      n++;
    });
  });
  check(label, T.decimated === '0' && T.lines.length === series.length && bad === 0 &&
    n >= 121 && near(T.hi, hi * 1.05, 1e-9) && T.end === t[t.length - 1],
    `${T.lines.length} lines for ${series.length}, ${bad} of ${n} points misplaced, axis top ${T.hi} for highest ${hi}`);
}

(async () => {
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await browserlib.launch();
  const errors = [], outside = [], dialogs = [];
  async function open(viewport) {
    const page = await browser.newPage({ viewport });
    browserlib.watchErrors(page, errors);
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    return page;
  }
  async function show(page, hash) {
    await page.goto(`${base}/${hash}`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 20000 });
  }
  try {
    const page = await open({ width: 1280, height: 800 });

    // Home: one row per run, newest first; the hostile model name is text.
    const runs = await api('/api/runs?limit=200');
    await show(page, '#/');
    const home = await page.evaluate(() => ({
      rows: Array.from(document.querySelectorAll('#runs tr')).slice(1).map((tr) => tr.cells[0].textContent),
      scripts: document.querySelectorAll('script').length,
      text: document.getElementById('runs').textContent,
    }));
    check('dashboard_home_runs', home.rows.join(',') === runs.map((r) => '#' + r.id).join(','),
      `rows ${home.rows} for runs ${runs.map((r) => r.id)}`);
    check('dashboard_name_is_text', home.text.includes('<script>alert(1)</script>') && home.scripts === 1,
      `${home.scripts} script elements`);
    await page.screenshot({ path: path.join(outdir, 'home-1280.png'), fullPage: true });

    // A run: layout, KPI chart, Gantt.
    const id = runs.find((r) => r.model === 'cli-line').id;
    const run = await api(`/api/runs/${id}`), lay = await api(`/api/runs/${id}/layout`);
    const gantt = await api(`/api/runs/${id}/gantt?replication=0`);
    await show(page, `#/run/${id}`);
    const L = await page.evaluate(() => ({
      names: Array.from(document.querySelectorAll('#layout g.block')).map((g) => g.dataset.name),
      labels: Array.from(document.querySelectorAll('#layout g.block text.name')).map((t) => t.textContent),
      links: Array.from(document.querySelectorAll('#layout path.link')).map((p) => [+p.dataset.from, +p.dataset.to]),
      boxes: Array.from(document.querySelectorAll('#layout g.block rect')).map((r) => r.getBoundingClientRect())
        .map((b) => [b.x, b.y, b.width, b.height]),
    }));
    check('dashboard_layout_blocks', L.names.join(',') === lay.blocks.map((b) => b.name).join(',') &&
      L.labels.join(',') === L.names.join(','), `${L.names} vs ${lay.blocks.map((b) => b.name)}`);
    check('dashboard_layout_links', JSON.stringify(L.links) === JSON.stringify(lay.links), JSON.stringify(L.links));
    let overlap = 0;
    for (let i = 0; i < L.boxes.length; i++) for (let j = 0; j < i; j++) {
      const [a, b] = [L.boxes[i], L.boxes[j]];
      if (a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]) overlap++;
    }
    check('dashboard_layout_no_overlap', overlap === 0 && L.boxes.every((b) => b[2] > 0), `${overlap} overlapping blocks`);
    // The source is left of the sink: the layers go along the flow.
    check('dashboard_layout_flows_right', L.boxes[0][0] < L.boxes[L.boxes.length - 1][0], 'source not left of sink');

    // KPI over the model's runs: each mean is the API's and sits where the axis puts it.
    const same = (await api(`/api/runs?limit=20&model=cli-line`)).reverse();
    const want = await Promise.all(same.map(async (r) => {
      const k = (await api(`/api/runs/${r.id}`)).kpis.find((q) => q.scope === 'system' && q.kpi === 'throughput');
      return k;
    }));
    const K = await page.evaluate(() => {
      const s = document.querySelector('#kpi-chart svg');
      return {
        selected: document.getElementById('kpi-select').value,
        means: Array.from(s.querySelectorAll('circle.mean')).map((c) => [+c.dataset.mean, +c.getAttribute('cy')]),
        cis: Array.from(s.querySelectorAll('line.ci')).map((c) => [+c.getAttribute('y1'), +c.getAttribute('y2')]),
        lo: +s.dataset.lo, hi: +s.dataset.hi, top: +s.dataset.top, bottom: +s.dataset.bottom,
      };
    });
    const yOf = (v) => K.top + (K.bottom - K.top) * (1 - (v - K.lo) / (K.hi - K.lo));
    check('dashboard_kpi_values', K.selected === 'system.throughput' && K.means.length === want.length &&
      K.means.every(([m, cy], i) => m === want[i].mean && near(cy, yOf(m), 0.5)),
    `${JSON.stringify(K.means)} vs ${JSON.stringify(want.map((k) => k.mean))}`);
    check('dashboard_kpi_intervals', K.cis.length === want.length &&
      K.cis.every(([y1, y2], i) => near(y1, yOf(want[i].mean - want[i].half_width), 0.5) &&
        near(y2, yOf(want[i].mean + want[i].half_width), 0.5)), JSON.stringify(K.cis));
    const ys = K.cis.flat();
    const spread = (Math.max(...ys) - Math.min(...ys)) / (K.bottom - K.top);
    check('dashboard_kpi_axis_fits', spread > 0.6, `the intervals span ${(100 * spread).toFixed(0)}% of the plot`);
    await page.selectOption('#kpi-select', 'system.wip');
    const wip = await page.evaluate(() => Array.from(document.querySelectorAll('#kpi-chart circle.mean')).map((c) => +c.dataset.mean));
    const wipApi = run.kpis.find((q) => q.scope === 'system' && q.kpi === 'wip').mean;
    check('dashboard_kpi_select', wip.includes(wipApi), `${wip} lacks ${wipApi}`);

    // Gantt: every drawn segment at its times, in its state's class; the invisible ones counted.
    const G = await page.evaluate(() => {
      const s = document.querySelector('#gantt svg');
      return {
        drawn: +s.dataset.drawn, left: +s.dataset.left, right: +s.dataset.right, end: +s.dataset.end,
        segs: Array.from(s.querySelectorAll('rect.seg')).map((r) => [+r.dataset.i, +r.getAttribute('x'),
          +r.getAttribute('width'), r.getAttribute('class')]),
      };
    });
    const gx = (t) => G.left + (G.right - G.left) * t / G.end;
    const bad = G.segs.filter(([i, x, w, cls]) => {
      const [, st, t0, t1] = gantt.segments[i];
      return !near(x, gx(t0), 0.01) || !near(w, gx(t1) - gx(t0), 0.01) || !cls.includes(gantt.states[st]);
    });
    const visible = gantt.segments.filter(([, , t0, t1]) => gx(t1) - gx(t0) >= 0.25).length;
    check('dashboard_gantt_segments', G.segs.length === G.drawn && G.drawn === visible && G.drawn > 10 && bad.length === 0,
      `${G.segs.length} drawn, ${visible} visible in the API's, ${bad.length} misplaced`);

    // Time series of the trace: every point of every line where its sample's time and value put
    // it, on an axis whose top is 5% above the highest value; throughput as completions per
    // interval over its length.
    const tr = await api(`/api/runs/${id}/trace`);
    const thr = tr.done.map((d, k) => (k === 0 ? 0 : (d - tr.done[k - 1]) / (tr.t[k] - tr.t[k - 1])));
    const traceWant = {
      'trace-wip': [['wip', tr.wip]], 'trace-throughput': [['throughput', thr]],
      'trace-buffers': tr.blocks.filter((b) => b.type === 'buffer').map((b) => [b.name, b.content]),
      'trace-busy': tr.blocks.filter((b) => b.busy).map((b) => [b.name, b.busy]),
    };
    for (const [box, series] of Object.entries(traceWant)) await checkSeries(page, box, series, tr.t, box);
    await page.screenshot({ path: path.join(outdir, 'run-1280.png'), fullPage: true });

    // The hostile name in a run page's title.
    const hostile = runs.find((r) => r.model.includes('<script>'));
    await show(page, `#/run/${hostile.id}`);
    const h1 = await page.evaluate(() => ({ t: document.querySelector('h1').textContent, n: document.querySelectorAll('script').length }));
    check('dashboard_title_is_text', h1.t.includes('<script>alert(1)</script> &amp;') && h1.n === 1, JSON.stringify(h1));

    // An experiment: one mean per scenario, the API's.
    const exps = await api('/api/experiments');
    if (exps.length) {
      const x = await api(`/api/experiments/${exps[0].id}`);
      await show(page, `#/experiment/${exps[0].id}`);
      const sel = await page.evaluate(() => document.getElementById('kpi-select').value);
      const E = await page.evaluate(() => Array.from(document.querySelectorAll('#kpi-chart circle.mean')).map((c) => +c.dataset.mean));
      const wantE = x.result.scenarios.map((s) => (sel === 'objective' ? s.objective : s.kpis[sel]).mean);
      check('dashboard_experiment_values', E.length === wantE.length && E.every((m, i) => m === wantE[i]),
        `${E} vs ${wantE}`);
      // Its traces (`experiment --trace`): WIP and throughput of every scenario on one chart each,
      // one line per scenario; then the picked scenario's own charts.
      const xt = await Promise.all(x.traces.map((k) => api(`/api/experiments/${exps[0].id}/trace?scenario=${k}`)));
      check('dashboard_experiment_traces', x.traces.length === x.result.scenarios.length && xt.every((q) => q.samples === 301),
        `traces ${JSON.stringify(x.traces)}, samples ${xt.map((q) => q.samples)}`);
      if (xt.length) {
        const xthr = (q) => q.done.map((d, k) => (k === 0 ? 0 : (d - q.done[k - 1]) / (q.t[k] - q.t[k - 1])));
        await checkSeries(page, 'exp-trace-wip', xt.map((q, i) => ['#' + x.result.scenarios[x.traces[i]].id, q.wip]),
          xt[0].t, 'experiment-trace-wip');
        await checkSeries(page, 'exp-trace-throughput', xt.map((q, i) => ['#' + x.result.scenarios[x.traces[i]].id, xthr(q)]),
          xt[0].t, 'experiment-trace-throughput');
        const last = xt.length - 1;
        await page.selectOption('#exp-trace-select', String(x.traces[last]));
        await page.waitForFunction((k) => document.getElementById('exp-trace').dataset.scenario === k, String(x.traces[last]));
        await checkSeries(page, 'trace-buffers', xt[last].blocks.filter((q) => q.type === 'buffer').map((q) => [q.name, q.content]),
          xt[last].t, 'experiment-trace-scenario-buffers');
        await checkSeries(page, 'trace-busy', xt[last].blocks.filter((q) => q.busy).map((q) => [q.name, q.busy]),
          xt[last].t, 'experiment-trace-scenario-busy');
      }
      await page.screenshot({ path: path.join(outdir, 'experiment-1280.png'), fullPage: true });
    } else check('dashboard_experiment_values', false, 'no experiment in the database');

    // A run started while the page watches: progress events arrive before the end.
    const job = await api('/api/runs?model=long.yaml&replications=300', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    await page.goto(`${base}/?token=${token}#/job/${job.job}`);
    await page.waitForFunction(() => document.getElementById('progress'), null, { timeout: 20000 });
    await page.evaluate(() => {
      window.seen = [];
      new MutationObserver(() => window.seen.push(+document.getElementById('progress').dataset.done))
        .observe(document.getElementById('progress'), { attributes: true, attributeFilter: ['data-done'] });
    });
    await page.waitForFunction(() => document.body.dataset.ended === '1', null, { timeout: 60000 });
    const J = await page.evaluate(() => ({ seen: window.seen, text: document.getElementById('job-state').textContent,
      events: +document.getElementById('progress').dataset.events, inAddress: location.search }));
    const mid = J.seen.filter((d) => d > 0 && d < 300).length;
    check('dashboard_live_progress', mid >= 2 && J.seen[J.seen.length - 1] === 300 &&
      J.seen.every((d, i) => i === 0 || d >= J.seen[i - 1]), `progress seen ${J.seen.join(',')}`);
    const final = await api(`/api/jobs/${job.job}`);
    check('dashboard_live_end', final.state === 'done' && J.text.includes(`run #${final.run}`), J.text);
    check('dashboard_token_left_address', J.inAddress === '', `address still holds '${J.inAddress}'`);
    await page.screenshot({ path: path.join(outdir, 'job-1280.png'), fullPage: true });

    // Phone width: nothing wider than the screen but the charts' own scroll boxes.
    const phone = await open({ width: 390, height: 844 });
    for (const [name, hash] of [['home', '#/'], ['run', `#/run/${id}`]]) {
      await show(phone, hash);
      const w = await phone.evaluate(() => document.documentElement.scrollWidth);
      check(`dashboard_phone_fits_${name}`, w <= 390, `page is ${w} px wide`);
      await phone.screenshot({ path: path.join(outdir, `${name}-390.png`), fullPage: true });
    }
    check('dashboard_no_page_errors', errors.length === 0, errors.join('; '));
    check('dashboard_no_dialogs', dialogs.length === 0, dialogs.join('; '));
    check('dashboard_no_outside_requests', outside.length === 0, outside.join(', '));
  } finally {
    await browser.close();
  }
  process.exit(failed);
})().catch((e) => {
  console.log(`FAIL dashboard_browser: ${e && e.message ? e.message.split('\n')[0] : e}`);
  process.exit(1);
});
