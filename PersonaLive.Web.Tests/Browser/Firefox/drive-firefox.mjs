// Drives stock Firefox ESR (headless, fake camera prefs only) over WebDriver BiDi with puppeteer-core:
// opens the Studio with ?autostart=ada, waits for decoded output frames, then (with --watch) shares the
// output and waits for frames on the Watch page. Prints one JSON line with what the pages reported.
import puppeteer from 'puppeteer-core';

const [baseUrl, shotDir, mode] = process.argv.slice(2);
const result = { studioFrames: 0, watchFrames: 0, shareUrl: null, userAgent: null, studioCandidateType: null, error: null, console: [] };
let studio;
const framesOf = (selector) => `(() => { const v = document.querySelector('${selector}'); return v ? Math.max(v.getVideoPlaybackQuality().totalVideoFrames, v.mozPaintedFrames || 0) : 0; })()`;

async function waitFrames(page, selector, min, timeoutMs) {
  await page.waitForFunction(`${framesOf(selector)} >= ${min}`, { timeout: timeoutMs, polling: 200 });
  return page.evaluate(framesOf(selector));
}

const browser = await puppeteer.launch({
  browser: 'firefox',
  protocol: 'webDriverBiDi',
  executablePath: '/usr/bin/firefox-esr',
  headless: true,
  // A first start with a fresh profile has been seen to take over puppeteer's default 30 s on a 2-core machine.
  timeout: 90000,
  extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
});
try {
  studio = await browser.newPage();
  studio.on('console', (m) => result.console.push(m.text()));
  await studio.evaluateOnNewDocument(`(() => { const P = window.RTCPeerConnection; window.__pcs = []; window.RTCPeerConnection = function (c) { const pc = new P(c); window.__pcs.push(pc); return pc; }; window.RTCPeerConnection.prototype = P.prototype; })()`);
  await studio.setViewport({ width: 1280, height: 900 });
  result.userAgent = await browser.userAgent();
  await studio.goto(`${baseUrl}/?autostart=ada`);
  result.studioFrames = await waitFrames(studio, 'video.output-video', 50, 60000);
  // The Studio's own end of the pair that carries its media ('host', 'srflx' or 'relay').
  result.studioCandidateType = await studio.evaluate(`(async () => { for (const pc of (window.__pcs || [])) { const stats = await pc.getStats(); let type = null;
    stats.forEach(p => { if (p.type === 'candidate-pair' && p.state === 'succeeded' && (p.nominated || p.selected)) { const local = stats.get(p.localCandidateId); if (local) type = local.candidateType; } });
    if (type) return type; } return null; })()`);
  if (shotDir) await studio.screenshot({ path: `${shotDir}/firefox-studio.png` });
  if (mode === '--watch') {
    await studio.click('button.share');
    await studio.waitForFunction(`(document.querySelector('#share-url') || {}).value`, { timeout: 30000 });
    result.shareUrl = await studio.evaluate(`document.querySelector('#share-url').value`);
    const watch = await browser.newPage();
    await watch.setViewport({ width: 1280, height: 900 });
    await watch.goto(result.shareUrl);
    await watch.waitForSelector('.live-badge', { visible: true, timeout: 30000 });
    result.watchFrames = await waitFrames(watch, '.watch-video', 20, 30000);
    if (shotDir) await watch.screenshot({ path: `${shotDir}/firefox-watch.png` });
  }
} catch (e) {
  result.error = String(e && e.stack || e);
  if (studio) {
    result.error += '\nICE: ' + await studio.evaluate(`(async () => { const out = []; for (const pc of (window.__pcs || [])) { out.push(pc.iceConnectionState + ' ' + pc.connectionState); (pc.remoteDescription ? pc.remoteDescription.sdp.split('\\n').filter(l => l.includes('candidate')) : []).forEach(l => out.push('remote ' + l)); (await pc.getStats()).forEach(s => { if (s.type.includes('candidate')) out.push(JSON.stringify(s)); }); } return out.join('\\n'); })()`).catch((e) => '? ' + e);
    result.error += '\nStudio: ' + await studio.evaluate(`(document.querySelector('.studio') || document.body).innerText`).catch(() => '?');
    if (shotDir) await studio.screenshot({ path: `${shotDir}/firefox-failure.png` }).catch(() => {});
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
