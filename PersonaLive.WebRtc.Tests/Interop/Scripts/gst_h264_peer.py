#!/usr/bin/python3
"""GStreamer webrtcbin as a foreign H.264-only peer for our tests.

Usage: gst_h264_peer.py publish|view
  publish: openh264enc -> rtph264pay -> webrtcbin (sendonly), a flat grey 320x240 picture at 30 fps.
  view:    webrtcbin (recvonly H.264) -> rtph264depay -> openh264dec, one "FRAME w h luma" line per picture.
Signalling over stdin/stdout: prints "OFFER <base64 sdp>", reads "ANSWER <base64 sdp>".
The test runs it inside a test network namespace (libnice leaves loopback addresses out).
Runs until stdin closes.
"""
import base64
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

H264_CAPS = ("application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
             "packetization-mode=(string)1,profile-level-id=(string)42e01f")


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    mode = sys.argv[1]
    Gst.init(None)
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
                luma = sum(info.data[: w * h : 7]) / len(info.data[: w * h : 7])
                sample.get_buffer().unmap(info)
                say("FRAME %d %d %.1f" % (w, h, luma))
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

    def on_offer(promise, _):
        promise.wait()
        reply = promise.get_reply()  # keep the structure alive while the offer is used
        offer = reply.get_value("offer")
        webrtc.emit("set-local-description", offer, Gst.Promise.new())
        say("OFFER " + base64.b64encode(offer.sdp.as_text().encode()).decode())
        threading.Thread(target=read_answer, daemon=True).start()

    def read_answer():
        for line in sys.stdin:
            if line.startswith("ANSWER "):
                text = base64.b64decode(line[7:].strip()).decode()
                GLib.idle_add(apply_answer, text)
        GLib.idle_add(loop.quit)

    def apply_answer(text):
        _, sdp = GstSdp.SDPMessage.new_from_text(text)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        webrtc.emit("set-remote-description", answer, Gst.Promise.new())
        sys.stderr.write("answer applied\n")
        return False

    def on_negotiation_needed(element):
        if mode == "publish":
            element.emit("get-transceiver", 0).set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))

    webrtc.connect("on-negotiation-needed", on_negotiation_needed)
    for prop in ("ice-connection-state", "connection-state", "ice-gathering-state"):
        webrtc.connect("notify::" + prop, lambda e, p: sys.stderr.write("%s %s\n" % (p.name, e.get_property(p.name))))
    loop = GLib.MainLoop()
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    pipe.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
