// The live twin's page at 50,000 plant events a second, in a real browser (run by `make bench`
// through bench/run.sh; not part of `make test`). Starts mosquitto on a free loopback port,
// `twinsim twin --serve` following it, opens the twin's page (#/twin) in Debian's Chromium
// through playwright-core, then plays the plant: the emulator on tests/twin/line.yaml at a speed
// that gives about 50,000 events a second (the line makes 0.3145 events a simulated second, so
// --speed 159000), for about 30 s. Every second it reads what the page shows (the received count
// and plant time it last drew, frames drawn, long tasks, JS heap) and, just after, what the twin
// says (GET /api/twin), and reports:
//   rate     events a second reached at the twin (its received count over the emulator's run),
//            and the emulator's own count over its wall time;
//   lag      the twin's count less the page's, in events, in plant time, and in seconds (how
//            long before the page's sample the twin had reached the count the page shows,
//            interpolated between the twin's samples): max and 95th percentile;
//   catch-up how long after the emulator stopped the page showed its last event;
//   frames   animation frames a second (min, median); long tasks (PerformanceObserver
//            'longtask': count, longest, total); the time the page's main thread was busy,
//            in script, in style and layout;
//   memory   the page's JS heap (after a garbage collection) and DOM nodes at start and end,
//            the largest heap seen, the twin's resident memory at start and at the peak.
// Fails when the twin got under --min-rate events a second, when the page lagged more than
// --max-lag seconds, when it never showed the last event, when its heap grew more than
// --max-heap-growth MB, or on any page error.
//
//   node bench/serve_twin_live.js [--twinsim build/twinsim] [--speed 159000] [--seconds 30]
//        [--min-rate 45000] [--max-lag 1] [--max-heap-growth 8]
'use strict';
const cp = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const opt = { twinsim: 'build/twinsim', speed: 159000, seconds: 30, 'min-rate': 45000, 'max-lag': 1,
  'max-heap-growth': 8 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in opt) || i + 1 >= argv.length) {
    console.log(`usage: node bench/serve_twin_live.js [--${Object.keys(opt).join(' X] [--')} X]`);
    process.exit(2);
  }
  opt[k] = k === 'twinsim' ? argv[i + 1] : +argv[i + 1];
}
const skip = (why) => { console.log(`bench/serve_twin_live.js: ${why}, skipped`); process.exit(0); };
const mosquitto = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p));
if (!mosquitto) skip('mosquitto is not installed');
if (!fs.existsSync(process.env.CHROMIUM || '/usr/bin/chromium')) skip('no Chromium');
let browserlib;
try { browserlib = require('../tests/browser/chromium'); } catch (e) { skip('playwright-core not found (npm ci --prefix tests/browser)'); }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const rssMB = (pid) => {
  try { return +/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1] / 1024; } catch (e) { return NaN; }
};
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN; };
// Wait until `text()` matches `re` (a child's output so far), for `s` seconds at most.
async function waitFor(text, re, s) {
  for (let i = 0; i < s * 10; i++) { const m = re.exec(text()); if (m) return m; await sleep(100); }
  return null;
}

const model = 'tests/twin/line.yaml';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'twinsim-live.'));
const kids = [];
const failed = [];
let browser = null;

(async () => {
  const mport = await freePort();
  fs.writeFileSync(path.join(tmp, 'mosq.conf'), `listener ${mport} 127.0.0.1\nallow_anonymous true\n` +
    `max_queued_messages 0\nlog_dest none\nuser ${os.userInfo().username}\n`);
  const broker = cp.spawn(mosquitto, ['-c', path.join(tmp, 'mosq.conf')], { stdio: 'ignore' });
  kids.push(broker);
  for (let i = 0; i < 50; i++) {
    const up = await new Promise((r) => { const c = net.connect(mport, '127.0.0.1', () => { c.end(); r(true); }); c.on('error', () => r(false)); });
    if (up) break;
    await sleep(100);
  }
  // The test line's mapping with room for 100 events a message (about 10 KB) instead of 2 KB:
  // the plant sends 500 messages a second, not 2,500, as a gateway batching its events would.
  const mapping = path.join(tmp, 'line.mapping.yaml');
  const mtext = fs.readFileSync('tests/twin/line.mapping.yaml', 'utf8');
  if (!/^max_payload: 2048 /m.test(mtext)) throw new Error("tests/twin/line.mapping.yaml has no 'max_payload: 2048'");
  fs.writeFileSync(mapping, mtext.replace(/^max_payload: 2048 /m, 'max_payload: 16384 '));
  const token = 'benchbenchbench0123456789';
  fs.writeFileSync(path.join(tmp, 'token'), token + '\n');
  let twinOut = '', twinErr = '';
  const twin = cp.spawn(opt.twinsim, ['twin', model, '--mapping', mapping, '--mqtt', `127.0.0.1:${mport}`, '--client-id', 'bench-twin',
    '--origin', '1000000', '--serve', '--listen', '127.0.0.1:0', '--results', path.join(tmp, 'r.db'),
    '--token-file', path.join(tmp, 'token'), '--idle-exit', '120', '--verbose']);
  kids.push(twin);
  twin.stdout.on('data', (d) => { twinOut += d; });
  twin.stderr.on('data', (d) => { twinErr += d; });
  const m = await waitFor(() => twinOut, /http:\/\/127\.0\.0\.1:(\d+)\//, 20);
  if (!m || !await waitFor(() => twinErr, /twin: connected: /, 20)) throw new Error(`the twin did not start: ${twinErr.slice(0, 300)}`);
  const base = `http://127.0.0.1:${m[1]}`;
  const api = async () => (await (await fetch(`${base}/api/twin`)).json()).state;
  const twinRss = [rssMB(twin.pid)];

  browser = await browserlib.launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  browserlib.watchErrors(page, errors);
  // Frames and long tasks, counted from the page's first script on.
  await page.addInitScript(() => {
    const b = window.__bench = { frames: 0, long: [] };
    const tick = () => { b.frames++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.long.push(e.duration); }).observe({ type: 'longtask' });
  });
  await page.goto(`${base}/?token=${token}#/twin`);
  await page.waitForFunction(() => document.body.dataset.ready === '1' && +document.body.dataset.states >= 1, null, { timeout: 20000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (gc) => {
    if (gc) await cdp.send('HeapProfiler.collectGarbage');
    const r = {};
    for (const x of (await cdp.send('Performance.getMetrics')).metrics) r[x.name] = x.value;
    return { heap: r.JSHeapUsedSize / 1048576, nodes: r.Nodes, task: r.TaskDuration, script: r.ScriptDuration,
      layout: r.LayoutDuration + r.RecalcStyleDuration };
  };
  const start = await metrics(true);
  await page.evaluate(() => { window.__bench.long = []; });

  // The plant, for about opt.seconds of wall time at opt.speed.
  const untilH = (opt.seconds * opt.speed / 3600).toFixed(1);
  let emuErr = '';
  const t0 = Date.now();
  const emu = cp.spawn(opt.twinsim, ['emulate', model, '--mapping', mapping, '--mqtt', `127.0.0.1:${mport}`, '--client-id', 'bench-plant',
    '--origin', '1000000', '--until', `${untilH}h`, '--speed', String(opt.speed), '--batch', '100', '--verbose']);
  kids.push(emu);
  emu.stderr.on('data', (d) => { emuErr += d; });
  let emuDone = 0;
  emu.on('exit', () => { emuDone = Date.now(); });

  // The twin's count every 0.1 s (T), and every second (every 0.1 s once the emulator has
  // stopped) the page's, then the twin's again (S), so that the twin's count is never the older
  // one; until the page shows every event the emulator sent, at most a minute after the
  // emulator stopped.
  const T = [], S = [];
  let heapMax = start.heap, sent = null, twinAll = null, pageAll = null;
  const twinNow = async () => {
    const a = await api(), x = { t: Date.now(), received: a.counters.received, pt: a.observed.t };
    T.push(x);
    if (sent !== null && x.received >= sent && twinAll === null) twinAll = (T.find((y) => y.received >= sent) || x).t;
    return x;
  };
  const over = () => pageAll !== null || (emuDone && Date.now() - emuDone > 60000);
  const fast = (async () => { while (!over()) { await twinNow(); await sleep(100); } })();
  for (let next = Date.now(); !over(); ) {
    const p = await page.evaluate(() => ({ received: +document.body.dataset.received || 0, t: +document.body.dataset.t || 0,
      frames: window.__bench.frames }));
    const tp = Date.now();
    const x = await twinNow();
    const mm = await metrics(false);
    heapMax = Math.max(heapMax, mm.heap);
    twinRss.push(rssMB(twin.pid));
    S.push({ tp, page: p, twin: x });
    if (emuDone && sent === null) {
      const ms = /sent: (\d+) events/.exec(emuErr);
      sent = ms ? +ms[1] : -1;
      if (emu.exitCode !== 0 || sent < 0) { failed.push(`the emulator exited ${emu.exitCode}: ${emuErr.slice(-300)}`); break; }
    }
    if (sent !== null && p.received >= sent) pageAll = tp;
    next += emuDone ? 100 : 1000; // once the plant has stopped, the catch-up to 0.1 s
    await sleep(Math.max(0, next - Date.now()));
  }
  await fast;
  // The twin may have had every event before the emulator's exit was seen.
  if (sent > 0 && twinAll === null) twinAll = (T.find((y) => y.received >= sent) || { t: null }).t;
  const end = await metrics(true);
  const tail = await page.evaluate(() => ({ frames: window.__bench.frames, long: window.__bench.long }));

  // The rate at the twin: every event the emulator sent over the time from its start to the
  // twin having them all.
  const rate = twinAll ? sent / ((twinAll - t0) / 1000) : 0;
  const emuRate = sent > 0 ? sent / ((emuDone - t0) / 1000) : 0;
  const caught = pageAll && twinAll ? Math.max(0, pageAll - twinAll) / 1000 : null;
  // Lag in seconds: how long before the page's sample had the twin reached the count the page
  // shows (interpolated between the twin's samples every 0.1 s)?
  const reached = (c) => {
    for (let i = 0; i < T.length; i++) {
      if (T[i].received < c) continue;
      if (i === 0) return T[0].t;
      const a = T[i - 1], b = T[i];
      return a.t + (b.t - a.t) * (c - a.received) / Math.max(1, b.received - a.received);
    }
    return NaN;
  };
  const run = S;
  const lagN = run.map((x) => x.twin.received - x.page.received);
  const lagT = run.map((x) => x.twin.pt - x.page.t);
  const lagS = run.map((x) => (x.page.received >= x.twin.received ? 0 : Math.max(0, (x.tp - reached(x.page.received)) / 1000)));
  const fps = [];
  for (let i = 1; i < run.length; i++) fps.push((run[i].page.frames - run[i - 1].page.frames) / ((run[i].tp - run[i - 1].tp) / 1000));
  const long = tail.long;

  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  console.log(`plant: ${sent} events in ${f((emuDone - t0) / 1000, 1)} s (emulator, --speed ${opt.speed}): ${f(emuRate)} events/s; ` +
    `the twin had them all ${twinAll ? f((twinAll - t0) / 1000, 1) : 'never'} s after the start: ${f(rate)} events/s; load average ${f(os.loadavg()[0], 1)}`);
  console.log(`lag of the page behind the twin, sampled every second: events max ${f(Math.max(...lagN))}, p95 ${f(quantile(lagN, 0.95))}; ` +
    `plant time (min) max ${f(Math.max(...lagT), 2)}, p95 ${f(quantile(lagT, 0.95), 2)}; seconds max ${f(Math.max(...lagS), 2)}, ` +
    `p95 ${f(quantile(lagS, 0.95), 2)}; the page showed the last event ${caught === null ? 'never' : f(caught, 2) + ' s'} after the twin had it`);
  console.log(`frames/s min ${f(Math.min(...fps))}, median ${f(quantile(fps, 0.5))}; long tasks ${long.length}, longest ` +
    `${f(long.length ? Math.max(...long) : 0)} ms, total ${f(long.reduce((x, y) => x + y, 0))} ms`);
  console.log(`the page's main thread over the ${f((pageAll || Date.now()) / 1000 - t0 / 1000, 1)} s: busy ${f(end.task - start.task, 2)} s, ` +
    `of which script ${f(end.script - start.script, 2)} s, style and layout ${f(end.layout - start.layout, 2)} s (DevTools' ` +
    `TaskDuration, ScriptDuration, LayoutDuration + RecalcStyleDuration)`);
  console.log(`page JS heap ${f(start.heap, 2)} MB at start, ${f(end.heap, 2)} MB at the end (after a collection), ` +
    `${f(heapMax, 2)} MB at most; DOM nodes ${start.nodes} and ${end.nodes}; twin resident ${f(twinRss[0], 1)} MB at start, ` +
    `${f(Math.max(...twinRss.filter(Number.isFinite)), 1)} MB at most`);
  if (rate < opt['min-rate']) failed.push(`the twin got ${f(rate)} events/s, under ${opt['min-rate']}: this host could not play the plant fast enough`);
  if (!(Math.max(...lagS) <= opt['max-lag'])) failed.push(`the page lagged up to ${f(Math.max(...lagS), 2)} s (over ${opt['max-lag']} s)`);
  if (caught === null) failed.push(twinAll ? 'the page never showed the last event' : 'the twin never had every event');
  else if (caught > opt['max-lag']) failed.push(`the page showed the last event ${f(caught, 2)} s after the twin had it`);
  if (!(end.heap - start.heap <= opt['max-heap-growth'])) failed.push(`the page's heap grew ${f(end.heap - start.heap, 1)} MB`);
  if (errors.length) failed.push(`page errors: ${errors.join('; ')}`);
})().catch((e) => failed.push(String(e && e.message ? e.message.split('\n')[0] : e))).finally(async () => {
  if (browser) await browser.close().catch(() => {});
  for (const k of kids.reverse()) if (k.exitCode === null) k.kill('SIGTERM');
  await sleep(300);
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const x of failed) console.log(`FAIL serve_twin_live: ${x}`);
  if (!failed.length) console.log('PASS serve_twin_live');
  process.exit(failed.length ? 1 : 0);
});
