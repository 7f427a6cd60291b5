// Opens a twinsim HTML report of an experiment run with --trace in Chromium (playwright-core,
// every network request refused) and checks that the time series drawn are the inlined traces:
// one work-in-process line per sampled scenario whose points, read back through the chart's
// axis, are the trace's values; and the one-scenario charts below. tests/cli/report.sh checks
// that the inlined traces hold the database's values, so the lines are the database's.
// Usage: node report_trace.test.js REPORT.html   (PASS/FAIL lines; exit 1 on any FAIL)
'use strict';
const path = require('path');
const browserlib = require('./chromium');

const file = path.resolve(process.argv[2] || 'report.html');
let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
  if (!ok) failed = 1;
}

(async () => {
  const browser = await browserlib.launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [];
    browserlib.watchErrors(page, errors);
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto('file://' + file);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 }).catch(() => {});
    const m = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('data').textContent);
      const svg = document.querySelector('#exp-trace-wip svg');
      if (!svg) return { lines: -1, samples: data.samples.length };
      const top = +svg.dataset.top, bottom = +svg.dataset.bottom, hi = +svg.dataset.hi;
      const left = +svg.dataset.left, right = +svg.dataset.right, end = +svg.dataset.end;
      const lines = Array.from(svg.querySelectorAll('polyline.line'));
      let worst = 0, points = 0;
      lines.forEach((pl, i) => {
        const q = data.samples[i];
        const pts = pl.getAttribute('points').trim().split(/\s+/).map((p) => p.split(',').map(Number));
        if (svg.dataset.decimated === '1' || pts.length !== q.wip.length) { worst = Infinity; return; }
        pts.forEach(([x, y], k) => {
          const v = hi * (1 - (y - top) / (bottom - top)), t = end * (x - left) / (right - left);
          worst = Math.max(worst, Math.abs(v - q.wip[k]) / hi, Math.abs(t - q.t[k]) / end);
          points++;
        });
      });
      return { lines: lines.length, samples: data.samples.length, worst, points,
        one: document.querySelectorAll('#trace #trace-wip svg polyline.line').length };
    });
    check('report_trace_lines', m.lines === Math.min(12, m.samples) && m.samples > 0,
      `${m.lines} work-in-process lines for ${m.samples} sampled scenarios`);
    // Points are written to 0.01 px, on a plot some 186 px high and 1100 wide: 1e-3 of the axis
    // is ten times that rounding.
    check('report_trace_values', m.points > 0 && m.worst < 1e-3,
      `${m.points} points, worst difference ${m.worst} of the axis`);
    check('report_trace_one_scenario', m.one === 1, `${m.one} lines in the chosen scenario's chart`);
    check('report_trace_no_errors', errors.length === 0, errors.join('; '));
  } finally {
    await browser.close();
  }
  process.exit(failed);
})().catch((e) => { console.log(`FAIL report_trace: ${e}`); process.exit(1); });
