// PersonaLive Watch page: plays the share link over WHEP (js/whep.js) and keeps the page's one message
// true: connecting, live (LIVE badge), full, revoked or ended (the endpoint's own words), or failed.
// While live it asks the endpoint every 2 s whether the link is still open, so a revocation shows at once.

import { play } from './whep.js';

const root = document.querySelector('.watch[data-whep]');
if (root && root.dataset.whep) start(root);

function start(root) {
  const video = root.querySelector('.watch-video');
  const stage = root.querySelector('.watch-stage');
  const chromeless = root.dataset.chromeless === 'true';
  const url = root.dataset.whep;
  let player = null, poll = null, over = false;

  const say = (text, bad) => {
    let box = stage.querySelector('.watch-message');
    if (!box) {
      box = document.createElement('div');
      box.className = 'watch-message';
      box.setAttribute('role', 'status');
      box.setAttribute('aria-live', 'polite');
      stage.appendChild(box);
    }
    box.classList.toggle('watch-bad', !!bad);
    box.replaceChildren();
    const p = document.createElement('p');
    p.className = 'watch-text';
    p.textContent = text;
    box.appendChild(p);
    if (bad && !chromeless) {
      const a = document.createElement('a');
      a.className = 'btn';
      a.href = '/';
      a.textContent = 'Open the Studio';
      box.appendChild(a);
    }
    const badge = stage.querySelector('.live-badge');
    if (badge) badge.remove();
  };

  const finish = text => {
    if (over) return;
    over = true;
    clearInterval(poll);
    if (player) player.stop();
    video.srcObject = null;
    say(text, true);
  };

  const live = () => {
    if (over) return;
    const box = stage.querySelector('.watch-message');
    if (box) box.remove();
    if (!chromeless && !stage.querySelector('.live-badge')) {
      const badge = document.createElement('span');
      badge.className = 'live-badge';
      badge.setAttribute('aria-label', 'Live');
      badge.textContent = 'LIVE';
      stage.appendChild(badge);
    }
    clearInterval(poll);
    poll = setInterval(async () => {
      try {
        const r = await fetch(url, { method: 'GET', cache: 'no-store' });
        if (r.status === 404) finish((await r.text()).trim());
      } catch { /* a blip: the connection state decides */ }
    }, 2000);
  };

  const onState = (state, message) => {
    switch (state) {
      case 'live': live(); break;
      case 'ended': finish(message || 'This live stream has ended.'); break;
      case 'full': finish(message || 'This live stream is full. Try again later.'); break;
      case 'failed': finish(message || 'The connection to the live stream was lost. Reload to try again.'); break;
      default: break;
    }
  };

  let iceServers = null;
  try { iceServers = JSON.parse(root.dataset.iceServers || 'null'); } catch { /* use the answer's Link servers */ }
  play(video, url, onState, { iceServers, iceTransportPolicy: root.dataset.icePolicy || 'all' })
    .then(p => { player = p; if (over) p.stop(); })
    .catch(e => finish('This browser could not play the stream: ' + (e && e.message ? e.message : e)));
  window.addEventListener('pagehide', () => { over = true; clearInterval(poll); if (player) player.stop(); });
}
