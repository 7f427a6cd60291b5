// Opens the live twin's page (#/twin of `twinsim twin --serve`) in Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) while the emulator plays the plant: it starts
// `twinsim emulate` on tests/twin/line.yaml itself, reads the page every 0.2 s while the
// emulator runs, and checks that the page follows: the count of messages it shows goes up (at
// least three different counts, never back) to exactly what the emulator sent, the blocks'
// labels change, the blocks end as GET /api/twin says, and the forecast fan is drawn from a
// forecast (two bands and a median) with what the plant did during the run drawn on it (red dots
// at plant times after the start, from the later forecasts).
// Usage: node twin_emulator.test.js URL TOKEN MQTT_PORT TWINSIM OUTDIR   (PASS/FAIL lines; exit 1
// on any FAIL)
'use strict';
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const browserlib = require('./chromium');
const { pageBlocks, settle } = require('./twinpage');

const [base, token, mqttPort, twinsim, outdir] = process.argv.slice(2);
let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
  if (!ok) failed = 1;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await browserlib.launch();
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    browserlib.watchErrors(page, errors);
    await page.goto(`${base}/?token=${token}#/twin`);
    await page.waitForFunction(() => document.body.dataset.ready === '1' && +document.body.dataset.states >= 1,
      null, { timeout: 20000 });
    const before = await pageBlocks(page);

    // The plant: two hours of the line at 1,800 times real time (4 s).
    let emuErr = '';
    const emu = cp.spawn(twinsim, ['emulate', 'tests/twin/line.yaml', '--mqtt', `127.0.0.1:${mqttPort}`,
      '--client-id', 'twin-emulator-plant', '--seed', '11', '--origin', '1000000', '--until', '2h', '--speed', '1800',
      '--verbose']);
    emu.stderr.on('data', (d) => { emuErr += d; });
    let code = null;
    const exited = new Promise((r) => emu.on('exit', (c) => { code = c; r(); }));
    const seen = [], labels = new Set();
    while (code === null) {
      const s = await page.evaluate(() => ({ received: +document.body.dataset.received || 0,
        labels: Array.from(document.querySelectorAll('#layout g.block text.sub')).map((t) => t.textContent).join('|') }));
      seen.push(s.received);
      labels.add(s.labels);
      await sleep(200);
    }
    await exited;
    const m = /sent: (\d+) events/.exec(emuErr), sent = m ? +m[1] : -1;
    check('twin_emulator_ran', code === 0 && sent > 100, `exit ${code}: ${emuErr.slice(-300)}`);

    // Everything the emulator sent, on the page as the API has it.
    const end = await settle(page, base, (tw) => tw.state.counters.applied === sent);
    const last = await page.evaluate(() => +document.body.dataset.received);
    seen.push(last);
    const distinct = new Set(seen.filter((x) => x > 0 && x < sent)).size;
    check('twin_emulator_page_follows', distinct >= 3 && seen.every((x, i) => i === 0 || x >= seen[i - 1]) && last === sent,
      `sent ${sent}; the page showed ${seen.join(' ')}`);
    check('twin_emulator_blocks', end.bad.length === 0 && labels.size >= 3 &&
      end.shown.some((b, i) => b.label !== before[i].label),
      `${end.bad.join('; ')}; ${labels.size} different sets of labels`);

    // The fan: drawn from a forecast the twin made with the plant under way.
    await page.waitForFunction(() => +(document.getElementById('fan-output').dataset.forecast || 0) >= 1, null,
      { timeout: 20000 }).catch(() => {});
    const fan = await page.evaluate(() => ({ forecast: +document.getElementById('fan-output').dataset.forecast || 0,
      bands: document.querySelectorAll('#fan-output polygon.band').length,
      median: !!document.querySelector('#fan-output polyline.median'),
      dots: Array.from(document.querySelectorAll('#fan-output circle.actual')).map((c) => +c.dataset.t) }));
    const fc = end.tw.forecast;
    check('twin_emulator_fan', fan.forecast >= 1 && fan.bands === 2 && fan.median && !!fc && fc.forecast >= fan.forecast &&
      fan.dots.filter((t) => t > 0).length >= 2, `${JSON.stringify(fan)}; the twin's last forecast ${fc && fc.forecast}`);
    await page.screenshot({ path: path.join(outdir, 'twin-emulator-1280.png'), fullPage: true });
    check('twin_emulator_no_errors', errors.length === 0, errors.join('; '));
  } finally {
    await browser.close();
  }
  process.exit(failed);
})().catch((e) => {
  console.log(`FAIL twin_emulator: ${e && e.message ? e.message.split('\n')[0] : e}`);
  process.exit(1);
});
