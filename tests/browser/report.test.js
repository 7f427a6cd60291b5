// Opens a twinsim HTML report in Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) with every network request refused, and checks that each chart drew real
// marks: KPI means with confidence whiskers on an axis fitted to them, stacked machine-state
// shares, buffer traces (with their lowest-to-highest band where the trace is in intervals);
// that picking another KPI or scenario redraws; and that the page raised no error.
// Usage: node report.test.js REPORT.html [NAME]   (prints PASS/FAIL lines, each test name
// followed by _NAME when given; exit 1 on any FAIL)
'use strict';
const path = require('path');
const browserlib = require('./chromium');

const file = path.resolve(process.argv[2] || 'report.html');
const suffix = process.argv[3] ? `_${process.argv[3]}` : '';
let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}${suffix}` : `FAIL ${name}${suffix}: ${why}`);
  if (!ok) failed = 1;
}

(async () => {
  const browser = await browserlib.launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [];
    const outside = [];
    browserlib.watchErrors(page, errors);
    // Self-contained means nothing but the file itself is ever asked for.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    await page.goto('file://' + file);
    await page.waitForFunction(() => document.body.dataset.charts === '3', null, { timeout: 15000 })
      .catch(() => {});
    const charts = await page.evaluate(() => document.body.dataset.charts);
    check('report_charts_drawn', charts === '3', `data-charts is ${charts}`);

    const m = await page.evaluate(() => {
      const visible = (sel) => Array.from(document.querySelectorAll(sel)).filter((e) => {
        const b = e.getBoundingClientRect();
        // A whisker is a vertical line: zero wide, but it has a height.
        return e.tagName === 'line' ? b.height > 0 : b.width > 0 && b.height > 0;
      }).length;
      const data = JSON.parse(document.getElementById('data').textContent);
      const nScen = data.run.scenarios.length;
      // How much of the plot's height the confidence intervals span together: on an axis
      // fitted to them most of it; on one from 0, a 1% difference is a few pixels.
      const ys = Array.from(document.querySelectorAll('#kpi-chart svg line.ci'))
        .flatMap((e) => [+e.getAttribute('y1'), +e.getAttribute('y2')]);
      const svg = document.querySelector('#kpi-chart svg');
      return {
        nScen,
        means: visible('#kpi-chart svg circle.mean'),
        cis: visible('#kpi-chart svg line.ci'),
        spread: ys.length ? (Math.max(...ys) - Math.min(...ys)) / (+svg.getAttribute('height') - 74) : 0,
        ranged: data.traces.filter((t) => t.scen === (data.run.best ?? 0) && t.lo).length,
        bands: Array.from(document.querySelectorAll('#trace-chart svg path.band'))
          .filter((p) => p.getBBox().height > 0).length,
        shares: visible('#state-chart svg rect.share'),
        traces: Array.from(document.querySelectorAll('#trace-chart svg path.trace'))
          .filter((p) => p.getTotalLength() > 50).length,
        rows: document.querySelectorAll('#scenarios tr').length,
      };
    });
    check('report_kpi_means', m.means === m.nScen && m.nScen > 0, `${m.means} means for ${m.nScen} scenarios`);
    check('report_ci_whiskers', m.cis === m.nScen, `${m.cis} whiskers for ${m.nScen} scenarios`);
    check('report_kpi_axis_fits', m.spread > 0.6, `the intervals span ${(100 * m.spread).toFixed(0)}% of the plot`);
    check('report_buffer_ranges', m.bands === m.ranged, `${m.bands} bands for ${m.ranged} traces in intervals`);
    check('report_state_shares', m.shares >= 2, `${m.shares} state segments`);
    check('report_buffer_traces', m.traces >= 1, `${m.traces} traces with length`);
    check('report_table', m.rows === m.nScen + 1, `${m.rows} table rows`);

    // Every buffer of the scenario drawn is named in the legend, and every text of the chart
    // (legend names, axis labels) lies inside the chart, however many buffers there are.
    const lg = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('data').textContent);
      const svg = document.querySelector('#trace-chart svg');
      const box = svg.getBoundingClientRect();
      const texts = Array.from(svg.querySelectorAll('text'));
      const names = data.traces.filter((t) => t.scen === (data.run.best ?? 0)).map((t) => t.name);
      const outside = texts.filter((e) => {
        const b = e.getBoundingClientRect();
        return b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 ||
          b.bottom > box.bottom + 0.5;
      }).map((e) => e.textContent);
      // Each name beside a swatch of its line's colour, so that a line can be told by its name.
      const lines = Array.from(svg.querySelectorAll('path.trace'));
      const items = Array.from(document.querySelectorAll('#trace-chart .legend span'));
      const shown = names.filter((n, i) => items[i] && items[i].textContent === n && lines[i] &&
        getComputedStyle(items[i].querySelector('i')).backgroundColor === getComputedStyle(lines[i]).stroke);
      return { names: names.length, shown: shown.length, outside };
    });
    check('report_trace_legend', lg.shown === lg.names && lg.names > 0,
      `${lg.shown} of ${lg.names} buffers named in their lines' colours`);
    check('report_trace_legend_inside', lg.outside.length === 0,
      `drawn outside the chart: ${lg.outside.join(', ')}`);

    // The values drawn are the run's: each mean and interval of the KPI shown, each machine's
    // state shares, at the pixels the axis gives them.
    const v = await page.evaluate(() => {
      const R = JSON.parse(document.getElementById('data').textContent).run;
      const sel = document.getElementById('kpi-select').value;
      const svg = document.querySelector('#kpi-chart svg'), d = svg.dataset;
      const y = (q) => +d.top + (+d.bottom - +d.top) * (1 - (q - +d.lo) / (+d.hi - +d.lo));
      const bad = [];
      const means = Array.from(svg.querySelectorAll('circle.mean'));
      R.scenarios.forEach((s, i) => {
        const k = sel === 'objective' ? s.objective : s.kpis[sel];
        const c = means[i];
        if (!c || +c.dataset.mean !== k.mean || Math.abs(+c.getAttribute('cy') - y(k.mean)) > 0.01) bad.push(`mean ${i}`);
      });
      const si = +document.getElementById('state-select').value, sc = R.scenarios[si];
      const sd = document.querySelector('#state-chart svg').dataset;
      for (const r of document.querySelectorAll('#state-chart rect.share')) {
        const k = sc.kpis[`${r.dataset.block}.states.${r.dataset.state}`];
        const want = Math.max(0.5, (+sd.right - +sd.left) * k.mean);
        if (!k || +r.dataset.mean !== k.mean || Math.abs(+r.getAttribute('width') - want) > 0.01) bad.push(r.dataset.block + ' ' + r.dataset.state);
      }
      return { bad, n: means.length, shares: document.querySelectorAll('#state-chart rect.share').length };
    });
    check('report_values_match_run', v.bad.length === 0 && v.n > 0 && v.shares > 0, `differ: ${v.bad.join(', ')}`);

    // Names from the data are text: an experiment or buffer named </script><script>... shows as
    // those characters, and the page holds its two scripts only (the data and app.js).
    const t = await page.evaluate(() => {
      const D = JSON.parse(document.getElementById('data').textContent);
      return { ok: document.getElementById('title').textContent === `twinsim ${D.run.kind}: ${D.run.experiment}`,
        scripts: document.querySelectorAll('script').length, title: document.getElementById('title').textContent };
    });
    check('report_names_are_text', t.ok && t.scripts === 2, JSON.stringify(t));

    // Another KPI redraws the means elsewhere.
    const before = await page.evaluate(() => Array.from(document.querySelectorAll('#kpi-chart circle.mean'))
      .map((r) => r.getAttribute('cy')).join(','));
    await page.selectOption('#kpi-select', 'system.wip');
    const after = await page.evaluate(() => Array.from(document.querySelectorAll('#kpi-chart circle.mean'))
      .map((r) => r.getAttribute('cy')).join(','));
    check('report_kpi_select_redraws', before !== after && after.length > 0, 'means unchanged');
    await page.selectOption('#trace-select', '1');
    const traces2 = await page.evaluate(() => document.querySelectorAll('#trace-chart path.trace').length);
    check('report_scenario_select_redraws', traces2 >= 1, `${traces2} traces after picking scenario 1`);

    // Screenshots at 1280x800 and at a phone's 390 px, which the page must fit (charts scroll in
    // their own boxes), into REPORT_SCREENSHOTS when given (CI keeps them).
    const shots = process.env.REPORT_SCREENSHOTS;
    await page.setViewportSize({ width: 1280, height: 800 });
    if (shots) await page.screenshot({ path: path.join(shots, `report${suffix}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 }).catch(() => {});
    const pw = await page.evaluate(() => document.documentElement.scrollWidth);
    check('report_phone_fits', pw <= 390, `page is ${pw} px wide`);
    if (shots) await page.screenshot({ path: path.join(shots, `report${suffix}-390.png`), fullPage: true });
    check('report_no_page_errors', errors.length === 0, errors.join('; '));
    check('report_no_network', outside.length === 0, outside.join(', '));
  } finally {
    await browser.close();
  }
  process.exit(failed);
})().catch((e) => {
  console.log(`FAIL report_browser: ${e && e.message ? e.message.split('\n')[0] : e}`);
  process.exit(1);
});
