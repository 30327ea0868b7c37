// PersonaLive: why a page's RTCPeerConnection cannot connect, as far as its STUN/TURN servers tell
// (used by live.js), so the user reads which server failed and how instead of a silent ICE failure.

// How long a page that is not connected waits for a relay candidate before naming the TURN servers that
// gave none (well under the server's 15 s DTLS handshake timeout, well over a TURN allocation's round trips).
const TURN_ANSWER_MS = 8000;

export class IceProblems {
  // servers: the RTCIceServer list the peer connection got; report(text) tells the page (at most once
  // per finding, and only once the answer is applied: before that the server has no session to end).
  constructor(pc, servers, report) {
    this.pc = pc;
    this.report = report;
    this.errors = new Map(); // server URL -> what failed (icecandidateerror)
    this.candidates = 0;
    this.relayCandidates = 0;
    this.pending = null;
    pc.addEventListener('icecandidateerror', e => {
      if (!e.url) return;
      const what = e.errorCode === 401 ? 'credentials rejected (401)'
        : e.errorCode === 701 ? 'unreachable (no answer)' : `error ${e.errorCode}${e.errorText ? ' ' + e.errorText : ''}`;
      this.errors.set(e.url, what);
    });
    pc.addEventListener('icecandidate', e => {
      if (e.candidate) {
        this.candidates++;
        if (e.candidate.type === 'relay' || / typ relay/.test(e.candidate.candidate)) this.relayCandidates++;
        return;
      }
      // Gathering is over. Without a single candidate (e.g. relay-only with a TURN server that refused
      // us) ICE can never connect: say so now, naming the server, rather than after a silent timeout.
      if (this.candidates === 0) this.raise(this.summary() || 'no ICE candidate could be gathered');
    });
    const turnUrls = servers.flatMap(s => [].concat(s.urls || [])).filter(u => /^turns?:/i.test(u));
    if (turnUrls.length) this.timer = setTimeout(() => this.checkRelay(turnUrls), TURN_ANSWER_MS);
  }

  // Not connected yet and still no relay candidate: a TURN server answers an allocation within a round
  // trip or two, but a browser waits far longer (~40 s) before it calls one unreachable, and the server
  // gives up on a peer that never completes its handshake before that. Say now which TURN server did not
  // answer, or what it said. A page that connected (directly or relayed) is left alone.
  checkRelay(turnUrls) {
    const state = this.pc.connectionState;
    if (this.relayCandidates > 0 || state === 'connected' || state === 'closed') return;
    this.raise(turnUrls.map(u => `${u}: ${this.errors.get(u) || `no answer within ${TURN_ANSWER_MS / 1000} s; nothing listens there or the way is blocked`}`).join('; '));
  }

  raise(problem) {
    this.pending = problem;
    if (this.pc.remoteDescription) this.flush();
  }

  // The answer is applied: tell a problem found before it.
  flush() {
    if (!this.pending) return;
    const problem = this.pending;
    this.pending = null;
    this.report(problem);
  }

  // What the configured STUN/TURN servers reported (null when none reported a problem).
  summary() {
    if (this.errors.size === 0) return null;
    return [...this.errors].map(([url, what]) => `${url}: ${what}`).join('; ');
  }

  dispose() {
    clearTimeout(this.timer);
  }
}
