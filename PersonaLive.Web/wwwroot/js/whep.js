// PersonaLive WHEP player: plays a share link's animated output with plain fetch + RTCPeerConnection
// (the Watch page and the Studio's "Drive from OBS / another app" panel; no Blazor circuit involved).
// One recvonly video transceiver, the offer POSTed as application/sdp, the 201 answer applied; the
// server is ICE-lite with every candidate in its answer, so nothing is trickled. STUN/TURN servers come
// from the answer's Link rel="ice-server" headers. stop() DELETEs the viewer resource.

import { startPlayback } from './playback.js';

// Parses Link: <turn:host?transport=udp>; rel="ice-server"; username="u"; credential="c" into RTCIceServer entries.
export function iceServersFromLinks(header) {
  if (!header) return [];
  const servers = [];
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = part.match(/<([^>]+)>(.*)/);
    if (!m || !/rel="?ice-server"?/.test(m[2])) continue;
    const param = name => { const p = m[2].match(new RegExp(name + '="((?:[^"\\\\]|\\\\.)*)"')); return p ? p[1].replace(/\\(.)/g, '$1') : undefined; };
    const server = { urls: m[1] };
    const username = param('username'), credential = param('credential');
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    servers.push(server);
  }
  return servers;
}

// Starts playing the WHEP endpoint `url` into `video`. `onState(state, message)` hears 'connecting',
// 'live', 'ended' (with the server's reason when it has one), 'full' and 'failed'. `options` may carry
// iceServers and iceTransportPolicy ('all' or 'relay'). Returns { stop }.
export async function play(video, url, onState, options) {
  // A page that knows its ICE servers up front (the Watch page renders them with credentials of its own)
  // passes them here: gathering then starts with them, which a 'relay' policy needs.
  const policy = options && options.iceTransportPolicy === 'relay' ? 'relay' : 'all';
  const given = options && Array.isArray(options.iceServers) ? options.iceServers : null;
  const report = (state, message) => { try { onState && onState(state, message || null); } catch { /* page gone */ } };
  const pc = new RTCPeerConnection(given ? { iceServers: given, iceTransportPolicy: policy } : undefined);
  let resource = null, stopped = false;
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' }); // the presenter's voice, in the face's stream
  pc.ontrack = e => {
    if (e.track.kind !== 'video') return;
    video.srcObject = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
    startPlayback(video);
  };
  pc.onconnectionstatechange = async () => {
    if (stopped) return;
    const s = pc.connectionState;
    if (s === 'connected') report('live');
    else if (s === 'failed' || s === 'closed') {
      // Why did it stop? The endpoint says whether the link is still live (204) or why not (404 + reason).
      let reason = null;
      try { const r = await fetch(url, { method: 'GET' }); if (r.status === 404) reason = (await r.text()).trim(); } catch { /* offline */ }
      report(reason ? 'ended' : 'failed', reason);
    }
  };
  report('connecting');
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  const text = await response.text();
  if (response.status !== 201) {
    pc.close();
    report(response.status === 404 ? 'ended' : response.status === 503 ? 'full' : 'failed', text.trim());
    return { stop() { } };
  }
  resource = new URL(response.headers.get('Location'), new URL(url, location.href)).toString();
  const servers = iceServersFromLinks(response.headers.get('Link'));
  if (!given && servers.length) { try { pc.setConfiguration({ iceServers: servers }); } catch { /* keep the defaults */ } }
  await pc.setRemoteDescription({ type: 'answer', sdp: text });
  return {
    stop() {
      stopped = true;
      if (resource) fetch(resource, { method: 'DELETE', keepalive: true }).catch(() => { });
      resource = null;
      pc.close();
    },
  };
}
