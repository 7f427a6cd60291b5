// The Chromium that every browser test drives: Debian's /usr/bin/chromium (or $CHROMIUM) through
// playwright-core, and the page errors a test collects.
const { chromium } = require('playwright-core');

// Start the browser. Root in CI: Chromium's sandbox needs user namespaces it may not have there.
exports.launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});

// Collect into `errors` what goes wrong in `page`: uncaught exceptions and console errors.
exports.watchErrors = (page, errors) => {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
};
