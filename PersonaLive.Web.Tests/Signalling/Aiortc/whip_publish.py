"""A WHIP publisher built on aiortc (Debian python3-aiortc), for the WHIP interoperability test.

Usage: whip_publish.py URL TOKEN SECONDS

Offers one sendonly VP8 video track (a moving gradient, 320x240 at 30 fps), POSTs the offer with the
bearer token, applies the 201 answer, sends for SECONDS once connected, then DELETEs the session
resource. Prints one JSON line: the HTTP statuses, whether ICE/DTLS connected and frames sent.
"""
import asyncio
import fractions
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription, VideoStreamTrack
from av import VideoFrame


class MovingGradient(VideoStreamTrack):
    """320x240 I420 frames whose brightness ramp moves every frame, so consecutive frames differ."""

    def __init__(self):
        super().__init__()
        self.count = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=320, height=240, format="yuv420p")
        shift = self.count * 4
        row = bytes(((x + shift) % 256) for x in range(320))
        frame.planes[0].update(row * 240)
        frame.planes[1].update(bytes([128]) * (frame.planes[1].line_size * 120))
        frame.planes[2].update(bytes([128]) * (frame.planes[2].line_size * 120))
        frame.pts = pts
        frame.time_base = time_base
        self.count += 1
        return frame


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


async def main(url, token, seconds):
    result = {"post": None, "connected": False, "framesSent": 0, "delete": None, "error": None}
    pc = RTCPeerConnection()
    track = MovingGradient()
    transceiver = pc.addTransceiver(track, direction="sendonly")
    vp8 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/VP8"]
    transceiver.setCodecPreferences(vp8)
    connected = asyncio.Event()

    @pc.on("connectionstatechange")
    def on_state():
        if pc.connectionState == "connected":
            connected.set()

    try:
        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers every candidate here
        status, headers, answer = await asyncio.to_thread(http, "POST", url, pc.localDescription.sdp.encode(),
                                                          {"Content-Type": "application/sdp", "Authorization": "Bearer " + token})
        result["post"] = status
        if status != 201:
            result["error"] = answer.strip()
            return result
        location = urllib.parse.urljoin(url, headers["Location"])
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        await asyncio.wait_for(connected.wait(), 20)
        result["connected"] = True
        start = track.count
        await asyncio.sleep(seconds)
        result["framesSent"] = track.count - start
        result["delete"] = (await asyncio.to_thread(http, "DELETE", location, None, {"Authorization": "Bearer " + token}))[0]
    except Exception as error:  # reported to the test, which fails with it
        result["error"] = repr(error)
    finally:
        await pc.close()
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))), flush=True)
