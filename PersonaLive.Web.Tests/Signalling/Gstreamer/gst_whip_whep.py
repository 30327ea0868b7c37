#!/usr/bin/python3
"""GStreamer webrtcbin as a foreign H.264-only WHIP publisher or WHEP player, for the signalling tests.

Usage: gst_whip_whep.py publish URL TOKEN SECONDS
         openh264enc -> rtph264pay -> webrtcbin (sendonly): a flat grey 320x240 picture at 30 fps, offered
         with H.264 only (like OBS or FFmpeg), POSTed to the WHIP URL with the bearer token.
       gst_whip_whep.py view URL SECONDS
         webrtcbin (recvonly, H.264 only) -> rtph264depay -> openh264dec, offer POSTed to the WHEP URL.
Either way the 201 answer is applied, the media runs for SECONDS after the POST (a viewer stops early
after 30 decoded pictures), then the resource in Location is DELETEd. Prints one JSON line: HTTP
statuses, whether the connection came up, pictures decoded (view) with the last one's size and mean
luma, or the error. The test runs it inside a test network namespace (libnice gathers no loopback
candidates).
"""
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

H264_CAPS = ("application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
             "packetization-mode=(string)1,profile-level-id=(string)42e01f")


def http(method, url, body=None, token=None):
    """One request; returns (status, headers, text) and never raises for HTTP error statuses."""
    request = urllib.request.Request(url, data=body.encode() if body else None, method=method)
    if body:
        request.add_header("Content-Type", "application/sdp")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def main():
    mode, url = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if mode == "publish" else None
    seconds = float(sys.argv[4] if mode == "publish" else sys.argv[3])
    result = {"post": None, "connected": False, "frames": 0, "width": 0, "height": 0, "luma": 0.0, "delete": None, "error": None}
    Gst.init(None)
    loop = GLib.MainLoop()
    if mode == "publish":
        pipe = Gst.parse_launch(
            "videotestsrc is-live=true pattern=solid-color foreground-color=0xff606060 "
            "! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert "
            "! openh264enc complexity=low gop-size=60 ! video/x-h264,profile=constrained-baseline "
            "! rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=102 "
            "! application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000 "
            "! webrtcbin name=w bundle-policy=max-bundle")
        webrtc = pipe.get_by_name("w")
    else:
        pipe = Gst.Pipeline.new("view")
        webrtc = Gst.ElementFactory.make("webrtcbin", "w")
        webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        pipe.add(webrtc)
        webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, Gst.Caps.from_string(H264_CAPS))

        def on_sample(sink):
            sample = sink.emit("pull-sample")
            caps = sample.get_caps().get_structure(0)
            w, h = caps.get_value("width"), caps.get_value("height")
            ok, info = sample.get_buffer().map(Gst.MapFlags.READ)
            if ok:
                luma = info.data[: w * h : 7]
                result.update(frames=result["frames"] + 1, width=w, height=h, luma=round(sum(luma) / len(luma), 1))
                sample.get_buffer().unmap(info)
                if result["frames"] >= 30:
                    GLib.idle_add(loop.quit)
            return Gst.FlowReturn.OK

        def on_pad(_, pad):
            if pad.direction != Gst.PadDirection.SRC:
                return
            tail = Gst.parse_bin_from_description(
                "rtph264depay ! h264parse ! openh264dec ! videoconvert ! video/x-raw,format=I420 "
                "! appsink name=s emit-signals=true sync=false", True)
            pipe.add(tail)
            tail.sync_state_with_parent()
            tail.get_by_name("s").connect("new-sample", on_sample)
            pad.link(tail.get_static_pad("sink"))

        webrtc.connect("pad-added", on_pad)

    location = {}

    def exchange(offer_text):
        """POST the offer off the streaming thread, then apply the answer on the main loop."""
        try:
            status, headers, text = http("POST", url, offer_text, token)
            result["post"] = status
            if status != 201:
                result["error"] = "POST answered %d: %s" % (status, text)
                GLib.idle_add(loop.quit)
                return
            location["url"] = urllib.parse.urljoin(url, headers["Location"])
            GLib.idle_add(apply_answer, text)
            GLib.timeout_add(int(seconds * 1000), lambda: loop.quit() or False)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
            result["error"] = "POST failed: %r" % error
            GLib.idle_add(loop.quit)

    def apply_answer(text):
        _, sdp = GstSdp.SDPMessage.new_from_text(text)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        webrtc.emit("set-remote-description", answer, Gst.Promise.new())
        return False

    def on_offer(promise, _):
        promise.wait()
        reply = promise.get_reply()  # keep the structure alive while the offer is used
        offer = reply.get_value("offer")
        webrtc.emit("set-local-description", offer, Gst.Promise.new())
        threading.Thread(target=exchange, args=(offer.sdp.as_text(),), daemon=True).start()

    def on_negotiation_needed(element):
        if mode == "publish":
            element.emit("get-transceiver", 0).set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))

    def on_state(element, _):
        if element.get_property("connection-state") == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            result["connected"] = True

    webrtc.connect("on-negotiation-needed", on_negotiation_needed)
    webrtc.connect("notify::connection-state", on_state)
    GLib.timeout_add(int((seconds + 15) * 1000), lambda: loop.quit() or False)  # never hang the test
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    if "url" in location:
        result["delete"] = http("DELETE", location["url"], token=token)[0]
    pipe.set_state(Gst.State.NULL)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
