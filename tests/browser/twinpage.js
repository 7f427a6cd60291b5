// What the live twin's page (#/twin) shows of each block, and what it should show for a state of
// the twin: shared by twin.test.js (the plant played by hand) and twin_emulator.test.js (the
// emulator as the plant).
'use strict';

// Must agree with LIVE_COLORS and LIVE_RANK in web/app.js (docs/dashboard.md).
const COLORS = { running: '#66bb6a', idle: '#cfd8dc', down: '#e57373', setup: '#ba68c8', off: '#90a4ae',
  unknown: '#bdbdbd' };
const RANK = ['down', 'setup', 'running', 'off', 'idle', 'unknown'];

// What the page shows of each block, and what it should show for the API's observed state.
exports.pageBlocks = (page) => page.evaluate(() => Array.from(document.querySelectorAll('#layout g.block')).map((g) => ({
  name: g.dataset.name, state: g.dataset.state, content: g.dataset.content,
  fill: g.querySelector('rect').getAttribute('fill'), label: g.querySelector('text.sub').textContent })));
exports.mismatches = function mismatches(shown, obs) {
  const bad = [];
  for (const b of shown) {
    const o = obs.blocks[b.name] || {}, m = obs.machines[b.name];
    if (String(o.content ?? '') !== b.content) bad.push(`${b.name} content ${b.content} not ${o.content}`);
    if (o.content !== undefined && !b.label.includes(`content ${o.content}`)) bad.push(`${b.name} label '${b.label}'`);
    if (m) {
      const st = RANK.find((q) => m.includes(q)) || m[0];
      if (b.state !== st || b.fill !== COLORS[st]) bad.push(`${b.name} ${b.state} ${b.fill} not ${st} ${COLORS[st]}`);
    }
  }
  return bad;
};
// Wait (10 s at most) until the twin's state (GET /api/twin at BASE) passes `want` and the page
// shows every block as it says: {tw, shown, bad}, bad empty when it does.
exports.settle = async function settle(page, base, want) {
  let tw, shown, bad = ['not checked'];
  for (let i = 0; i < 100 && bad.length; i++) {
    tw = await (await fetch(`${base}/api/twin`)).json();
    shown = await exports.pageBlocks(page);
    bad = want(tw) ? exports.mismatches(shown, tw.state.observed) : ['not there yet'];
    if (bad.length) await new Promise((r) => setTimeout(r, 100));
  }
  return { tw, shown, bad };
};
exports.COLORS = COLORS;
