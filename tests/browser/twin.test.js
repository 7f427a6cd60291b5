// Opens the live twin's page (#/twin of `twinsim twin --serve`) in Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) and plays the plant itself: it publishes, over
// MQTT to the twin's broker, a machine going down and a buffer level, and checks that the page's
// blocks follow (colour and label of every block as GET /api/twin says, the machine from idle to
// down), that the twin's alert is listed, and that the forecast fan has its two bands and median
// where the forecast's quantiles put them, on an axis that fits them, with the plant's later
// output drawn on top. Forecasts are collected from the twin's own event stream, opened before
// the page, so that the fan the page draws can be checked against the forecast it came from.
// Usage: node twin.test.js URL TOKEN MQTT_PORT OUTDIR   (PASS/FAIL lines; exit 1 on any FAIL)
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const browserlib = require('./chromium');

const [base, token, mqttPort, outdir] = process.argv.slice(2);
let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
  if (!ok) failed = 1;
}
const api = async (p) => (await fetch(base + p)).json();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const near = (a, b, tol) => Math.abs(a - b) <= tol;
const { COLORS, pageBlocks } = require('./twinpage');
const settle = (page, want) => require('./twinpage').settle(page, base, want);

// MQTT 3.1.1 by hand (CONNECT, PUBLISH at QoS 0, DISCONNECT): the plant's messages in order.
function publish(messages) {
  const len = (n) => { const b = []; do { let d = n % 128; n = Math.floor(n / 128); if (n) d |= 128; b.push(d); } while (n); return Buffer.from(b); };
  const str = (s) => { const b = Buffer.from(s); const h = Buffer.alloc(2); h.writeUInt16BE(b.length); return Buffer.concat([h, b]); };
  const pkt = (kind, body) => Buffer.concat([Buffer.from([kind]), len(body.length), body]);
  return new Promise((resolve, reject) => {
    const c = net.connect(+mqttPort, '127.0.0.1', () => {
      c.write(pkt(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 30]), str('twin-browser-plant')])));
    });
    c.once('data', () => {
      for (const [topic, payload] of messages) c.write(pkt(0x30, Buffer.concat([str(topic), Buffer.from(payload)])));
      c.end(pkt(0xe0, Buffer.alloc(0)), resolve);
    });
    c.on('error', reject);
  });
}

// The twin's event stream, read here: every forecast by number, every alert.
const forecasts = new Map(), alerts = [];
const ctl = new AbortController();
async function follow() {
  const r = await fetch(`${base}/api/twin/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ctl.signal });
  const rd = r.body.getReader(), dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await rd.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const ev = {};
      for (const line of buf.slice(0, i).split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
      }
      buf = buf.slice(i + 2);
      if (ev.event === 'forecast') forecasts.set(ev.data.forecast, ev.data);
      if (ev.event === 'alert') alerts.push(ev.data);
    }
  }
}

(async () => {
  fs.mkdirSync(outdir, { recursive: true });
  const following = follow().catch(() => {});
  await sleep(300);
  const browser = await browserlib.launch();
  const errors = [], outside = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    browserlib.watchErrors(page, errors);
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    await page.goto(`${base}/?token=${token}#/twin`);
    await page.waitForFunction(() => document.body.dataset.ready === '1' && +document.body.dataset.states >= 1,
      null, { timeout: 20000 });

    // Before any plant message: the layout of the twin's model, every block as the API says
    // (machines 'unknown': the plant has not said).
    const first = await settle(page, (tw) => tw.state.counters.received === 0);
    check('twin_page_layout', first.shown.map((b) => b.name).join(',') === first.tw.layout.blocks.map((b) => b.name).join(','),
      `${first.shown.map((b) => b.name)} vs ${first.tw.layout.blocks.map((b) => b.name)}`);
    const filler0 = first.shown.find((b) => b.name === 'filler') || {};
    check('twin_page_blocks_at_start', first.bad.length === 0 && filler0.state === 'unknown' && filler0.fill === COLORS.unknown,
      first.bad.concat([JSON.stringify(filler0)]).join('; '));

    // The plant: the filler goes down, buf1 holds 7, a minute later a heartbeat.
    await publish([
      ['line/FILL-01/state', '{"ts": 1000060, "seq": 1, "state": "down"}'],
      ['line/buffers', '{"ts": 1000060, "seq": 2, "buffer": "buf1", "level": 7}'],
      ['line/heartbeat', '{"ts": 1000120, "seq": 3}'],
    ]);
    const after = await settle(page, (tw) => tw.state.counters.applied === 3);
    const filler = after.shown.find((b) => b.name === 'filler') || {}, buf1 = after.shown.find((b) => b.name === 'buf1') || {};
    check('twin_page_blocks_follow', after.bad.length === 0 && filler.state === 'down' && filler.fill === COLORS.down &&
      filler.label.startsWith('down') && +buf1.content >= 7 && buf1.fill !== first.shown.find((b) => b.name === 'buf1').fill,
      after.bad.concat([JSON.stringify(filler), JSON.stringify(buf1)]).join('; '));
    await page.screenshot({ path: path.join(outdir, 'twin-1280.png'), fullPage: true });

    // The alert the first forecast raised: on the page as the stream and the API say.
    await page.waitForFunction(() => +(document.getElementById('twin-alerts').dataset.count || 0) >= 1, null, { timeout: 20000 })
      .catch(() => {});
    const tw = await api('/api/twin');
    const shownAlerts = await page.evaluate(() => Array.from(document.querySelectorAll('#twin-alerts li'))
      .map((li) => ({ text: li.textContent, state: li.dataset.state, forecast: +li.dataset.forecast })));
    const a0 = tw.alerts[0] || {};
    check('twin_page_alert', tw.alerts.length >= 1 && a0.state === 'raised' && shownAlerts.length === tw.alerts.length &&
      shownAlerts[shownAlerts.length - 1].text.includes(a0.alert) && shownAlerts[shownAlerts.length - 1].forecast === a0.forecast,
      `API ${JSON.stringify(tw.alerts)}; page ${JSON.stringify(shownAlerts)}`);

    // The fan: once one is drawn, the plant goes on two minutes; a forecast from then on adds
    // where the plant was at t = 4 on top of the fan drawn.
    await page.waitForFunction(() => !!document.getElementById('fan-output').dataset.forecast, null, { timeout: 20000 })
      .catch(() => {});
    await publish([['line/heartbeat', '{"ts": 1000240, "seq": 4}']]);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#fan-output circle.actual')).some((c) => c.dataset.t === '4'),
      null, { timeout: 20000 }).catch(() => {});
    const F = await page.evaluate(() => ['fan-output', 'fan-wip'].map((id) => {
      const s = document.querySelector(`#${id} svg`);
      if (!s) return null;
      const pts = (e) => e.getAttribute('points').trim().split(' ').map((p) => p.split(',').map(Number));
      return { d: { ...s.dataset }, forecast: +document.getElementById('fan-output').dataset.forecast,
        bands: Array.from(s.querySelectorAll('polygon.band')).map(pts), median: pts(s.querySelector('polyline.median')),
        dots: Array.from(s.querySelectorAll('circle.actual')).map((c) => [+c.dataset.t, +c.dataset.v, +c.getAttribute('cx'), +c.getAttribute('cy')]) };
    }));
    const fc = F[0] && forecasts.get(F[0].forecast);
    check('twin_fan_forecast', !!fc && !!fc.fan, `page draws forecast ${F[0] && F[0].forecast}, stream had ${[...forecasts.keys()]}`);
    if (fc && fc.fan) {
      ['output', 'wip'].forEach((key, c) => {
        const f = F[c], q = fc.fan[key], t = fc.fan.t, d = f.d;
        const X = (v) => +d.left + (+d.right - +d.left) * (v - +d.t0) / (+d.t1 - +d.t0);
        const Y = (v) => +d.top + (+d.bottom - +d.top) * (1 - (v - +d.lo) / (+d.hi - +d.lo));
        const bad = [];
        if (f.bands.length !== 2) bad.push(`${f.bands.length} bands`);
        // Band i: quantile 4-i forwards, then quantile i backwards.
        f.bands.forEach((b, i) => {
          const want = t.map((tt, k) => [X(tt), Y(q[4 - i][k])]).concat(t.map((tt, k) => [X(tt), Y(q[i][k])]).reverse());
          if (b.length !== want.length || b.some((p, k) => !near(p[0], want[k][0], 0.02) || !near(p[1], want[k][1], 0.02)))
            bad.push(`band ${i} not at the quantiles`);
        });
        if (f.median.length !== 13 || f.median.some((p, k) => !near(p[0], X(t[k]), 0.02) || !near(p[1], Y(q[2][k]), 0.02)))
          bad.push('median not at the 50% quantile');
        const lo = Math.min(...q[0]), hi = Math.max(...q[4]);
        // Fits: everything inside the plot, and the bands span at least half of its height.
        if (!(+d.lo <= lo && +d.hi >= hi)) bad.push(`axis ${d.lo}..${d.hi} does not hold ${lo}..${hi}`);
        if (hi > lo && (hi - lo) / (+d.hi - +d.lo) < 0.5) bad.push(`bands ${lo}..${hi} fill under half of ${d.lo}..${d.hi}`);
        check(`twin_fan_${key}`, bad.length === 0, bad.join('; '));
        // What the plant did: the dots are the later forecasts' starting points.
        const later = [...forecasts.values()].filter((g) => g.fan && g.horizon === fc.horizon && g.now > fc.now);
        const dot = f.dots.find((p) => p[0] === 4), src = later.find((g) => g.now === 4);
        check(`twin_fan_${key}_plant`, !!dot && !!src && dot[1] === src.fan[key][0][0] && near(dot[2], X(4), 0.01) &&
          near(dot[3], Y(dot[1]), 0.01), `dots ${JSON.stringify(f.dots)}; forecast at 4: ${src && src.fan[key][0][0]}`);
      });
    }
    await page.screenshot({ path: path.join(outdir, 'twin-fan-1280.png'), fullPage: true });
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/#/twin`);
    await phone.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 20000 });
    const w = await phone.evaluate(() => document.documentElement.scrollWidth);
    check('twin_page_phone_fits', w <= 390, `page is ${w} px wide`);
    await phone.screenshot({ path: path.join(outdir, 'twin-390.png'), fullPage: true });
    check('twin_page_no_errors', errors.length === 0, errors.join('; '));
    check('twin_page_no_outside_requests', outside.length === 0, outside.join(', '));
  } finally {
    ctl.abort();
    await following;
    await browser.close();
  }
  process.exit(failed);
})().catch((e) => {
  console.log(`FAIL twin_browser: ${e && e.message ? e.message.split('\n')[0] : e}`);
  process.exit(1);
});
