"""A WHIP server built on aiortc (Debian python3-aiortc) for the Go live test: it is the streaming service.

Usage: whip_server.py PORT TOKEN

Serves on 127.0.0.1:PORT (Python's http.server; aiohttp is not in Debian's python3):
  POST /whip          the publisher's offer (application/sdp, Authorization: Bearer TOKEN) -> 201 with
                      aiortc's answer, Location /whip/session/N and a Link ice-server header; 401 on a wrong token
  DELETE /whip/session/N  closes that peer connection -> 200
  GET /stats          JSON: posts, deletes, video frames decoded, audio frames decoded, codec, connection state
Prints "LISTENING" once ready. Video and audio are decoded by aiortc (libavcodec) and counted.
"""
import asyncio
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiortc import RTCPeerConnection, RTCSessionDescription

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
loop = asyncio.new_event_loop()
stats = {"posts": 0, "deletes": 0, "framesDecoded": 0, "audioFrames": 0, "videoCodec": None, "state": "new", "offerHasCandidates": False}
sessions = {}


async def consume(track, key):
    while True:
        try:
            await track.recv()
        except Exception:  # track ended (peer closed)
            return
        stats[key] += 1


async def answer(offer_sdp):
    pc = RTCPeerConnection()

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(consume(track, "framesDecoded" if track.kind == "video" else "audioFrames"))

    @pc.on("connectionstatechange")
    def on_state():
        stats["state"] = pc.connectionState

    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    for t in pc.getTransceivers():
        if t.kind == "video" and t._codecs:
            stats["videoCodec"] = t._codecs[0].mimeType
    return pc, pc.localDescription.sdp


def run(coro):
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            self.reply(200, json.dumps(stats).encode(), {"Content-Type": "application/json"})
        else:
            self.reply(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if self.path != "/whip":
            return self.reply(404)
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.reply(401, b"unknown stream key", {"Content-Type": "text/plain"})
        if self.headers.get("Content-Type", "").split(";")[0] != "application/sdp":
            return self.reply(415)
        stats["posts"] += 1
        stats["offerHasCandidates"] = "a=candidate:" in body
        pc, sdp = run(answer(body))
        n = len(sessions) + 1
        sessions[n] = pc
        self.reply(201, sdp.encode(), {"Content-Type": "application/sdp", "Location": "/whip/session/%d" % n,
                                       "Link": '<stun:127.0.0.1:3478>; rel="ice-server"'})

    def do_DELETE(self):
        parts = self.path.rsplit("/", 1)
        pc = sessions.pop(int(parts[1]), None) if parts[0] == "/whip/session" and parts[1].isdigit() else None
        if pc is None:
            return self.reply(404)
        stats["deletes"] += 1
        run(pc.close())
        self.reply(200)


threading.Thread(target=loop.run_forever, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("LISTENING", flush=True)
server.serve_forever()
