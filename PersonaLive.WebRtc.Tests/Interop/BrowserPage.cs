namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>The page headless Chromium runs: camera -> offer -> our answer -> stats and a canvas pixel posted back.</summary>
internal static class BrowserPage
{
    public const string Html = """
<!doctype html>
<html><body>
<video id="v" autoplay muted playsinline width="320" height="240"></video>
<audio id="a" autoplay muted></audio>
<canvas id="c" width="320" height="240"></canvas>
<script>
const log = (m) => fetch('/log', { method: 'POST', body: String(m) });
async function main() {
  const pc = new RTCPeerConnection();
  const mode = new URLSearchParams(location.search).get('mode');
  const viewer = mode === 'viewer', voice = mode === 'voice';
  if (viewer) {
    pc.addTransceiver('video', { direction: 'recvonly' });
  } else {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 }, audio: voice });
    pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendrecv', streams: [stream] });
    if (voice) pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [stream] });
  }
  const video = document.getElementById('v');
  let remoteStreamId = '';
  pc.ontrack = (e) => {
    if (e.track.kind === 'audio') { const a = document.getElementById('a'); a.srcObject = new MediaStream([e.track]); a.play().catch(() => {}); return; }
    remoteStreamId = e.streams.length ? e.streams[0].id : ''; video.srcObject = new MediaStream([e.track]); video.play().catch(() => {}); };
  pc.onconnectionstatechange = () => log('connectionState ' + pc.connectionState);
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await (await fetch('/offer', { method: 'POST', body: pc.localDescription.sdp })).text();
  if (!answer.startsWith('v=0')) { await fetch('/result', { method: 'POST', body: JSON.stringify({ error: answer }) }); return; }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  const started = Date.now();
  let result = {};
  while (Date.now() - started < 25000) {
    await new Promise(r => setTimeout(r, 500));
    const stats = await pc.getStats();
    result = { connectionState: pc.connectionState, remoteStreamId };
    stats.forEach(s => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') { result.framesDecoded = s.framesDecoded; result.frameWidth = s.frameWidth; result.frameHeight = s.frameHeight; result.nackCount = s.nackCount; result.pliCount = s.pliCount; }
      if (s.type === 'outbound-rtp' && s.kind === 'video') { result.framesEncoded = s.framesEncoded; result.framesSent = s.framesSent; }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') { result.audioPacketsReceived = s.packetsReceived; result.audioSamplesReceived = s.totalSamplesReceived; result.audioCodecId = s.codecId; }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') { result.audioPacketsSent = s.packetsSent; }
      if (s.type === 'codec' && s.mimeType && s.mimeType.startsWith('audio/')) { result.audioMimeType = s.mimeType; }
      if (s.type === 'transport') { result.dtlsState = s.dtlsState; result.srtpCipher = s.srtpCipher; result.tlsVersion = s.tlsVersion; }
      if (s.type === 'candidate-pair' && s.nominated) { result.availableOutgoingBitrate = s.availableOutgoingBitrate; }
    });
    if (voice && (result.audioPacketsReceived || 0) > 50 && (result.audioSamplesReceived || 0) > 0 && (result.framesDecoded || 0) > 10) break;
    if (!voice && (result.framesDecoded || 0) > 45 && video.videoWidth > 0 && (viewer || (result.availableOutgoingBitrate || 0) >= 1000000 || Date.now() - started > 10000)) break;
  }
  const ctx = document.getElementById('c').getContext('2d');
  ctx.drawImage(video, 0, 0, 320, 240);
  result.pixel = Array.from(ctx.getImageData(160, 120, 1, 1).data);
  result.videoWidth = video.videoWidth;
  await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
  pc.close();
}
main().catch(e => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e) }) }));
</script>
</body></html>
""";
}
