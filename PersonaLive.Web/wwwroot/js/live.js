// PersonaLive browser side: camera/video-file capture, one RTCPeerConnection per page, signalling
// through the Blazor circuit (offer out, answer in via JS interop), stats and latency measurement.
//
// Glass-to-glass latency, measured in the browser's own clock:
//  1. The browser's RTCP sender reports map the camera's RTP timestamps to its NTP (wall) clock. The
//     server converts each decoded camera frame's RTP timestamp to that capture time (Unix epoch us on
//     this browser's clock) and carries it through the engine to the output frame it drives.
//  2. The server remembers, for every output frame it sends, (output RTP timestamp -> capture time) and
//     returns the recent pairs to this page once per second (the answer to OnClientStats).
//  3. requestVideoFrameCallback on the output <video> gives, per displayed frame, its rtpTimestamp and
//     expectedDisplayTime (performance.now() time base). Display time on the wall clock is
//     performance.timeOrigin + expectedDisplayTime; both that and the SR's NTP time come from this
//     machine's system clock, so latency = display - capture needs no clock sync with the server.
//  Frames shown before their pair arrives wait in `pendingDisplays` (a few seconds) and are matched later.

import { startPlayback } from './playback.js';
import { IceProblems } from './ice-problems.js';

const VP8 = 'video/VP8';

export function capabilities() {
  const webrtc = typeof RTCPeerConnection === 'function';
  const camera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  const rvfc = typeof HTMLVideoElement !== 'undefined' && 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
  const captureStream = typeof HTMLVideoElement !== 'undefined' &&
    ('captureStream' in HTMLVideoElement.prototype || 'mozCaptureStream' in HTMLVideoElement.prototype);
  const codecPreferences = typeof RTCRtpTransceiver !== 'undefined' && 'setCodecPreferences' in RTCRtpTransceiver.prototype;
  let vp8 = true;
  if (typeof RTCRtpReceiver !== 'undefined' && RTCRtpReceiver.getCapabilities) {
    const caps = RTCRtpReceiver.getCapabilities('video');
    vp8 = !!caps && caps.codecs.some(c => c.mimeType.toLowerCase() === VP8.toLowerCase());
  }
  return { webrtc, camera, rvfc, captureStream, codecPreferences, vp8 };
}

export async function listCameras() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter(d => d.kind === 'videoinput')
    .map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

export function createClient(dotnet) {
  return new LiveClient(dotnet);
}

function cameraErrorKind(e) {
  switch (e && e.name) {
    case 'NotAllowedError': case 'SecurityError': case 'PermissionDeniedError': return 'denied';
    case 'NotFoundError': case 'DevicesNotFoundError': case 'OverconstrainedError': return 'nocamera';
    case 'NotReadableError': case 'TrackStartError': case 'AbortError': return 'busy';
    default: return 'error';
  }
}

function preferVp8(transceiver) {
  if (!transceiver.setCodecPreferences || !RTCRtpReceiver.getCapabilities) return;
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
  const vp8 = codecs.filter(c => c.mimeType.toLowerCase() === VP8.toLowerCase());
  const rest = codecs.filter(c => c.mimeType.toLowerCase() !== VP8.toLowerCase());
  if (vp8.length) transceiver.setCodecPreferences([...vp8, ...rest]);
}

class LiveClient {
  constructor(dotnet) {
    this.dotnet = dotnet;
    this.pc = null;
    this.stream = null;
    this.statsTimer = null;
    this.prev = null;
    this.pendingDisplays = new Map(); // rtpTimestamp -> display time (Unix epoch us)
    this.captureByRtp = new Map();    // rtpTimestamp -> capture time (Unix epoch us), from the server
    this.latencies = [];
    this.objectUrl = null;
  }

  // Studio: open the camera (or play a local video file), create the peer connection with one
  // sendrecv video transceiver, and return the offer SDP for the server.
  async startStudio(cameraVideo, outputVideo, options) {
    this.startedAt = performance.now(); // Start pressed: the first-frame time counts from here
    this.firstFrameMs = null;
    this.cameraVideo = cameraVideo;
    this.outputVideo = outputVideo;
    try {
      this.stream = await this.openSource(cameraVideo, options);
    } catch (e) {
      return { ok: false, kind: e.kind || cameraErrorKind(e), message: String(e && e.message || e) };
    }
    // A file already plays in the tile (openSource). Assigning srcObject, even null, would run the media
    // element's load algorithm again and leave the captureStream() track without frames.
    if (options.source !== 'file') {
      cameraVideo.srcObject = this.stream;
      startPlayback(cameraVideo);
    }
    const track = this.stream.getVideoTracks()[0];
    if (!track) return { ok: false, kind: 'nocamera', message: 'The source has no video track.' };
    this.pc = this.newPeer(options.iceServers, outputVideo, options);
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendrecv', streams: [this.stream] });
    preferVp8(transceiver);
    this.sender = transceiver.sender;
    // Voice with the face: the microphone goes up beside the camera (relayed, never decoded); the
    // animated output comes back with it, and the output player stays muted (no echo).
    const mic = this.stream.getAudioTracks()[0];
    if (mic) this.pc.addTransceiver(mic, { direction: 'sendrecv', streams: [this.stream] });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return { ok: true, offerSdp: this.pc.localDescription.sdp };
  }

  // Watch page: a receive-only peer connection.
  async startViewer(outputVideo, iceServers, options) {
    this.outputVideo = outputVideo;
    this.pc = this.newPeer(iceServers, outputVideo, options);
    const transceiver = this.pc.addTransceiver('video', { direction: 'recvonly' });
    preferVp8(transceiver);
    this.pc.addTransceiver('audio', { direction: 'recvonly' });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return { ok: true, offerSdp: this.pc.localDescription.sdp };
  }

  async acceptAnswer(answerSdp) {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    this.statsTimer = setInterval(() => this.reportStats(), 1000);
    this.ice.flush();
  }

  async openSource(cameraVideo, options) {
    if (options.source === 'file') {
      const input = options.fileInput;
      const file = input && input.files && input.files[0];
      if (!file) throw Object.assign(new Error('Choose a video file first.'), { kind: 'nofile' });
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = URL.createObjectURL(file);
      cameraVideo.srcObject = null;
      cameraVideo.src = this.objectUrl;
      cameraVideo.loop = true;
      cameraVideo.muted = true;
      await cameraVideo.play();
      const capture = cameraVideo.captureStream ? cameraVideo.captureStream() : cameraVideo.mozCaptureStream();
      return new MediaStream(capture.getVideoTracks());
    }
    const video = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } };
    if (options.deviceId) video.deviceId = { exact: options.deviceId };
    if (options.voice === false) return await navigator.mediaDevices.getUserMedia({ video, audio: false });
    try {
      return await navigator.mediaDevices.getUserMedia({ video, audio: true });
    } catch (e) {
      // No microphone (or it was refused): go on with the face alone.
      if (e && (e.name === 'NotFoundError' || e.name === 'NotAllowedError' || e.name === 'NotReadableError')) {
        return await navigator.mediaDevices.getUserMedia({ video, audio: false });
      }
      throw e;
    }
  }

  async switchCamera(cameraVideo, deviceId) {
    if (!this.sender) return { ok: false, kind: 'error', message: 'Not live.' };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: deviceId } }, audio: false });
    } catch (e) {
      return { ok: false, kind: cameraErrorKind(e), message: String(e.message || e) };
    }
    await this.sender.replaceTrack(stream.getVideoTracks()[0]);
    // The microphone keeps going: only the old camera track stops.
    if (this.stream) {
      this.stream.getVideoTracks().forEach(t => t.stop());
      this.stream.getAudioTracks().forEach(t => stream.addTrack(t));
    }
    this.stream = stream;
    cameraVideo.srcObject = stream;
    return { ok: true };
  }

  // iceServers: [{ urls, username, credential }] from the server (TURN credentials derived per page).
  newPeer(iceServers, outputVideo, options) {
    const servers = (iceServers || []).map(s => typeof s === 'string' ? { urls: s } : Object.fromEntries(
      Object.entries({ urls: s.urls, username: s.username, credential: s.credential }).filter(([, v]) => v !== null && v !== undefined)));
    const config = { iceServers: servers, bundlePolicy: 'max-bundle' };
    if (options && options.iceTransportPolicy) config.iceTransportPolicy = options.iceTransportPolicy;
    const pc = new RTCPeerConnection(config);
    if (this.ice) this.ice.dispose();
    this.ice = new IceProblems(pc, servers,
      problem => this.dotnet.invokeMethodAsync('OnConnectionState', 'failed', problem).catch(() => {}));
    pc.ontrack = e => {
      if (e.track.kind !== 'video') return; // the voice arrives in the same stream as the face
      outputVideo.srcObject = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      startPlayback(outputVideo);
      this.watchFrames(outputVideo);
    };
    pc.onconnectionstatechange = () => {
      const problem = pc.connectionState === 'failed' ? this.ice.summary() : null;
      this.dotnet.invokeMethodAsync('OnConnectionState', pc.connectionState, problem).catch(() => {});
    };
    return pc;
  }

  watchFrames(video) {
    if (!('requestVideoFrameCallback' in video)) return;
    const onFrame = (_now, md) => {
      if (!this.pc) return;
      if (this.firstFrameMs === null && this.startedAt !== undefined) this.firstFrameMs = performance.now() - this.startedAt;
      if (md.rtpTimestamp !== undefined) {
        this.recordDisplay(md.rtpTimestamp, (performance.timeOrigin + md.expectedDisplayTime) * 1000);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  // A frame with this RTP timestamp is shown at displayUs (Unix epoch us, this browser's clock).
  recordDisplay(rtp, displayUs) {
    const capture = this.captureByRtp.get(rtp);
    if (capture !== undefined) this.latencies.push((displayUs - capture) / 1000);
    else this.pendingDisplays.set(rtp, displayUs);
    if (this.pendingDisplays.size > 600) this.pendingDisplays.delete(this.pendingDisplays.keys().next().value);
  }

  learnCaptureTimes(pairs) {
    for (const [rtp, captureUs] of pairs || []) {
      this.captureByRtp.set(rtp, captureUs);
      const shown = this.pendingDisplays.get(rtp);
      if (shown !== undefined) {
        this.latencies.push((shown - captureUs) / 1000);
        this.pendingDisplays.delete(rtp);
      }
    }
    while (this.captureByRtp.size > 600) this.captureByRtp.delete(this.captureByRtp.keys().next().value);
  }

  async reportStats() {
    if (!this.pc) return;
    const report = await this.pc.getStats();
    const now = performance.now();
    let inbound = null, outbound = null, pair = null;
    report.forEach(s => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
      else if (s.type === 'outbound-rtp' && s.kind === 'video') outbound = s;
      else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    });
    const prev = this.prev;
    const secs = prev ? (now - prev.at) / 1000 : 0;
    const rate = (cur, old) => (secs > 0 && cur !== undefined && old !== undefined) ? (cur - old) * 8 / 1000 / secs : null;
    const stats = {
      fpsSent: outbound && outbound.framesPerSecond || null,
      fpsReceived: inbound && inbound.framesPerSecond || null,
      kbpsIn: inbound && prev ? rate(inbound.bytesReceived, prev.bytesIn) : null,
      kbpsOut: outbound && prev ? rate(outbound.bytesSent, prev.bytesOut) : null,
      framesDecoded: inbound ? inbound.framesDecoded || 0 : 0,
      rttMs: pair && pair.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : null,
      latenciesMs: this.latencies.splice(0),
      firstFrameMs: this.firstFrameMs ?? null, // Start to the first presented output frame
    };
    this.prev = { at: now, bytesIn: inbound && inbound.bytesReceived, bytesOut: outbound && outbound.bytesSent };
    try {
      const pairs = await this.dotnet.invokeMethodAsync('OnClientStats', stats);
      this.learnCaptureTimes(pairs);
    } catch { /* circuit gone: the page is closing */ }
  }

  stop() {
    if (this.ice) this.ice.dispose();
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.pc) this.pc.close();
    this.pc = null;
    this.sender = null;
    if (this.stream) this.stream.getTracks().forEach(t => t.stop());
    this.stream = null;
    for (const video of [this.cameraVideo, this.outputVideo]) {
      if (!video) continue;
      video.pause();
      video.srcObject = null;
      video.removeAttribute('src');
      video.load();
    }
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
    this.pendingDisplays.clear();
    this.captureByRtp.clear();
  }
}
