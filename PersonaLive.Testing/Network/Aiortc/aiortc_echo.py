"""An echo peer built on aiortc (Debian python3-aiortc): the comparison server of the network lab and of
the sessions benchmark.

aiortc offers (our synthetic client answers: as the offerer our client runs no full ICE agent, which
aiortc's controlled side would need). Reads one JSON object per line on stdin: {"id": N, "offer": true}
creates a peer connection with one sendrecv VP8 video transceiver and replies {"id": N, "sdp": OFFER};
{"id": N, "answer": SDP} applies the client's answer; {"id": N, "close": true} closes it. Once the
client's video arrives, the transceiver sends it back: each frame decoded, scaled to SIZE x SIZE
(default 256, the size of our echo engine's output) and encoded again by aiortc's VP8 encoder. Errors
come back as {"id": N, "error": TEXT}. No ICE servers: it offers host candidates only, so in the lab's
server namespace it offers exactly the lab link's address.

Usage: aiortc_echo.py [SIZE]   (AIORTC_ECHO_LOG=FILE writes aiortc's debug log there)
"""
import asyncio
import json
import logging
import os
import sys

from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription


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


async def offer(peers, key, size):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    peers[key] = pc
    transceiver = pc.addTransceiver("video", direction="sendrecv")
    vp8 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/VP8"]
    transceiver.setCodecPreferences(vp8)

    @pc.on("track")
    def on_track(track):
        if track.kind == "video":
            transceiver.sender.replaceTrack(Echo(track, size))

    await pc.setLocalDescription(await pc.createOffer())  # gathers the host candidates
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
            elif request.get("answer"):
                await peers[key].setRemoteDescription(RTCSessionDescription(sdp=request["answer"], type="answer"))
                reply({"id": key, "ok": True})
            else:
                reply({"id": key, "sdp": await offer(peers, key, size)})
        except Exception as error:  # one bad offer must not end the other sessions
            reply({"id": key, "error": repr(error)})
    for pc in peers.values():
        await pc.close()


if __name__ == "__main__":
    if os.environ.get("AIORTC_ECHO_LOG"):
        logging.basicConfig(filename=os.environ["AIORTC_ECHO_LOG"], level=logging.DEBUG)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 256))
