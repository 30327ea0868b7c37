"""An echo peer built on aiortc (Debian python3-aiortc): the comparison server of the network lab and of
the sessions benchmark.

Reads one JSON object per line on stdin: {"id": N, "sdp": OFFER} answers a sendrecv VP8 offer with a
new peer connection whose outgoing track is the incoming one decoded, scaled to SIZE x SIZE (default
256, the size of our echo engine's output) and encoded again by aiortc's VP8 encoder; {"id": N,
"close": true} closes that connection. Writes one JSON line per request: {"id": N, "sdp": ANSWER} or
{"id": N, "error": TEXT}. No ICE servers: it answers with host candidates only, so in the lab's server
namespace it offers exactly the lab link's address.

Usage: aiortc_echo.py [SIZE]
"""
import asyncio
import json
import sys

from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription


class Echo(MediaStreamTrack):
    """The incoming video, each decoded frame scaled to size x size, with its own timestamps."""

    kind = "video"

    def __init__(self, source, size):
        super().__init__()
        self.source = source
        self.size = size

    async def recv(self):
        frame = await self.source.recv()
        out = frame.reformat(width=self.size, height=self.size, format="yuv420p")
        out.pts = frame.pts
        out.time_base = frame.time_base
        return out


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def answer(peers, request, size):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    peers[request["id"]] = pc

    @pc.on("track")
    def on_track(track):
        if track.kind == "video":
            pc.addTrack(Echo(track, size))

    await pc.setRemoteDescription(RTCSessionDescription(sdp=request["sdp"], type="offer"))
    # Our client role is the DTLS client (it needs a=setup:passive); aiortc's answerer picks active unless its
    # transport already has a role, and RFC 5763 lets the answerer choose either, so take the server role.
    for transceiver in pc.getTransceivers():
        transceiver._transport._set_role("server")
    await pc.setLocalDescription(await pc.createAnswer())  # gathers the host candidates
    return pc.localDescription.sdp


async def main(size):
    peers = {}
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            break
        try:
            request = json.loads(line)
        except ValueError:
            continue
        key = request.get("id")
        try:
            if request.get("close"):
                pc = peers.pop(key, None)
                if pc is not None:
                    await pc.close()
                reply({"id": key, "closed": True})
            else:
                reply({"id": key, "sdp": await answer(peers, request, size)})
        except Exception as error:  # one bad offer must not end the other sessions
            reply({"id": key, "error": repr(error)})
    for pc in peers.values():
        await pc.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 256))
