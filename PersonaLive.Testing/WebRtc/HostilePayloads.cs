using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Diagnostics;

/// <summary>
/// Hostile VP8 RTP payloads (RFC 7741 section 4.2 descriptor, section 4.3 keyframe header): every
/// combination of the X/I/L/T/K bits with truncations, partition IDs beyond 8, picture IDs that jump,
/// and bitstreams that claim a keyframe of absurd dimensions or stop inside the frame header.
/// </summary>
internal static class HostileVp8
{
    public static byte[] Payload(Random r)
    {
        int size = r.Next(8) == 0 ? r.Next(0, 4) : r.Next(4, 1100);
        var p = new byte[size];
        r.NextBytes(p);
        if (size == 0)
        {
            return p;
        }

        p[0] = (byte)((p[0] & 0xB0) | (r.Next(3) == 0 ? 0x10 : 0) | (r.Next(0, 16) & 0x0F)); // S, PID up to 15
        int pos = 1;
        if ((p[0] & 0x80) != 0 && size > 1)
        {
            pos = 2 + ((p[1] & 0x80) != 0 ? ((size > 2 && (p[2] & 0x80) != 0) ? 2 : 1) : 0) + ((p[1] & 0x40) != 0 ? 1 : 0) + ((p[1] & 0x30) != 0 ? 1 : 0);
        }

        if (r.Next(3) == 0 && size >= pos + 10)
        {
            // A keyframe header (RFC 6386 section 9.1): start code, then 14-bit width and height with scale bits
            p[pos] = (byte)(p[pos] & 0xFE);
            (p[pos + 3], p[pos + 4], p[pos + 5]) = (0x9D, 0x01, 0x2A);
            ushort width = r.Next(3) switch { 0 => 0x3FFF, 1 => 0, _ => (ushort)r.Next(1, 0x4000) };
            ushort height = r.Next(3) switch { 0 => 0x3FFF, 1 => 0, _ => (ushort)r.Next(1, 0x4000) };
            BinaryPrimitives.WriteUInt16LittleEndian(p.AsSpan(pos + 6), (ushort)(width | (r.Next(4) << 14)));
            BinaryPrimitives.WriteUInt16LittleEndian(p.AsSpan(pos + 8), (ushort)(height | (r.Next(4) << 14)));
        }

        return p;
    }
}

/// <summary>
/// Hostile RTCP compounds (RFC 3550 section 6, RFC 4585 section 6, RFC 5506): SR/RR whose report count
/// exceeds the length, NACK and PLI with wrong FCI sizes, BYE with 31 sources or a reason running past
/// the end, SDES items overrunning their chunk, REMB with absurd exponents, unknown types, padding, and
/// length fields pointing beyond the datagram. Some compounds are well-formed and name the real SSRCs
/// (an authenticated BYE, NACKs for any sequence number, PLI storms), which the receiver must also survive.
/// </summary>
internal static class HostileRtcp
{
    public static byte[] Compound(Random r, uint sender, uint media)
    {
        var b = new byte[1200];
        int n = 0;
        for (int i = 0, count = r.Next(1, 5); i < count && n < b.Length - 200; i++)
        {
            n += Packet(r, b.AsSpan(n), sender, media);
        }

        if (n < 8)
        {
            n = 8; // SRTCP needs the header and sender SSRC in the clear
        }

        return b[..n];
    }

    private static int Packet(Random r, Span<byte> b, uint sender, uint media)
    {
        int words = r.Next(1, 30);
        r.NextBytes(b[..(4 * (words + 1))]);
        byte type = r.Next(8) switch { 0 => 200, 1 => 201, 2 => 202, 3 => 203, 4 => 205, 5 => 206, 6 => 204, _ => (byte)r.Next(192, 210) };
        int count = type switch { 205 => r.Next(2) == 0 ? 1 : r.Next(32), 206 => r.Next(2) == 0 ? r.Next(1, 2) * (r.Next(2) == 0 ? 1 : 15) : r.Next(32), _ => r.Next(32) };
        b[0] = (byte)(0x80 | (r.Next(10) == 0 ? 0x20 : 0) | count);
        b[1] = type;
        int claimed = r.Next(6) switch { 0 => 0xFFFF, 1 => 0, 2 => words + r.Next(1, 10), _ => words };
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)claimed);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], r.Next(4) == 0 ? (uint)r.Next() : sender);
        if (words >= 2)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b[8..], type is 203 ? sender : media); // BYE naming the real sender; feedback naming the receiver
        }

        if (type == 205 && words >= 3)
        {
            for (int i = 12; i + 4 <= 4 * (words + 1); i += 4)
            {
                BinaryPrimitives.WriteUInt16BigEndian(b[i..], (ushort)r.Next(65536)); // PID
                BinaryPrimitives.WriteUInt16BigEndian(b[(i + 2)..], 0xFFFF); // BLP: every following one lost
            }
        }

        if (type == 206 && count == 15 && words >= 5)
        {
            "REMB"u8.CopyTo(b[12..]);
            b[16] = (byte)r.Next(256); // SSRC count
            b[17] = (byte)(0xFC | r.Next(4)); // exponent 63
        }

        return 4 * (words + 1);
    }
}

/// <summary>
/// DTLS 1.2 records (RFC 6347 section 4.1) an attacker or a confused peer sends under a running
/// association: a fresh ClientHello at epoch 0 (a new handshake or a renegotiation in the clear),
/// HelloVerifyRequest and ServerHello out of place, handshake fragments whose offsets and lengths
/// disagree, epoch-1 handshake and alert records with ciphertext that cannot decrypt (renegotiation
/// attempts), ChangeCipherSpec, several records in one datagram with the last one cut short, and noise;
/// and, with the peer's keys, the same kinds of records sealed so that they decrypt (<see cref="Sealed"/>).
/// </summary>
internal static class HostileDtls
{
    public static byte[] Datagram(Random r)
    {
        var b = new List<byte>();
        for (int i = 0, count = r.Next(1, 4); i < count; i++)
        {
            b.AddRange(Record(r));
        }

        if (r.Next(6) == 0 && b.Count > 14)
        {
            int cut = r.Next(1, Math.Min(10, b.Count - 13));
            b.RemoveRange(b.Count - cut, cut); // the last record stops inside its header or body
        }

        return [.. b];
    }

    private static byte[] Record(Random r)
    {
        int kind = r.Next(8);
        byte type = kind switch { 0 or 1 or 2 or 3 => 22, 4 => 20, 5 => 21, 6 => 23, _ => (byte)r.Next(256) };
        ushort epoch = kind switch { 0 or 1 => 0, 2 or 3 => 1, _ => (ushort)r.Next(0, 3) };
        byte[] body = kind switch
        {
            0 => Handshake(r, 1, ClientHelloBody(r)),
            1 => Handshake(r, (byte)(r.Next(2) == 0 ? 3 : 2), Random(r, r.Next(0, 80))),
            4 => [1],
            5 => [(byte)r.Next(1, 3), (byte)r.Next(256)],
            _ => Random(r, r.Next(0, 120)),
        };
        var rec = new byte[13 + body.Length];
        (rec[0], rec[1], rec[2]) = (type, 0xFE, r.Next(8) == 0 ? (byte)0xFF : (byte)0xFD);
        BinaryPrimitives.WriteUInt64BigEndian(rec.AsSpan(3), ((ulong)epoch << 48) | (uint)r.Next());
        BinaryPrimitives.WriteUInt16BigEndian(rec.AsSpan(11), (ushort)(r.Next(10) == 0 ? r.Next(65536) : body.Length));
        body.CopyTo(rec, 13);
        return rec;
    }

    /// <summary>
    /// One datagram of records sealed under the peer's real epoch-1 keys, so they decrypt: a renegotiating
    /// ClientHello (with renegotiation_info, RFC 5746 section 3.5), a HelloRequest (RFC 5246 section
    /// 7.4.1.1), a repeated Finished, handshake fragments whose header fields lie, warning alerts
    /// (no_renegotiation and others: a warning never closes, RFC 5246 section 7.2), application data
    /// and heartbeats nobody negotiated. Never close_notify or a fatal alert: those, authenticated, end
    /// the association by design.
    /// </summary>
    public static byte[] Sealed(Random r, DtlsRecordSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        var b = new List<byte>();
        for (int i = 0, count = r.Next(1, 3); i < count; i++)
        {
            b.AddRange(r.Next(8) switch
            {
                0 or 1 => sealer.Handshake(1, (ushort)r.Next(0, 8), ClientHelloBody(r, RenegotiationInfo(r))),
                2 => sealer.Handshake(0, (ushort)r.Next(0, 8), []),
                3 => sealer.Handshake(20, (ushort)r.Next(0, 8), Random(r, 12)),
                4 => sealer.Handshake((byte)r.Next(256), (ushort)r.Next(65536), Random(r, r.Next(0, 100)),
                    length: r.Next(1 << 24), fragmentOffset: r.Next(1 << 24), fragmentLength: r.Next(2) == 0 ? null : r.Next(1 << 24)),
                5 => sealer.Seal(21, [1, (byte)(r.Next(3) switch { 0 => 100, 1 => 90, _ => r.Next(1, 256) })]),
                6 => sealer.Seal(23, Random(r, r.Next(0, 60))),
                _ => sealer.Seal(24, Random(r, r.Next(1, 40))),
            });
        }

        return [.. b];
    }

    /// <summary>The renegotiation_info extension (RFC 5746 section 3.2), empty or with made-up verify data, appended to an extension block.</summary>
    internal static byte[] RenegotiationInfo(Random r)
    {
        int verify = r.Next(2) == 0 ? 0 : 12;
        return [0xFF, 0x01, 0, (byte)(1 + verify), (byte)verify, .. Random(r, verify)];
    }

    /// <summary>Handshake header (RFC 6347 section 4.2.2) with message sequence and fragment fields that may lie.</summary>
    private static byte[] Handshake(Random r, byte msgType, byte[] body)
    {
        var h = new byte[12 + body.Length];
        h[0] = msgType;
        int length = r.Next(5) == 0 ? r.Next(0, 1 << 24) : body.Length;
        int offset = r.Next(5) == 0 ? r.Next(0, 1 << 24) : 0;
        int fragment = r.Next(5) == 0 ? r.Next(0, 1 << 24) : body.Length;
        (h[1], h[2], h[3]) = ((byte)(length >> 16), (byte)(length >> 8), (byte)length);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)r.Next(0, 8));
        (h[6], h[7], h[8]) = ((byte)(offset >> 16), (byte)(offset >> 8), (byte)offset);
        (h[9], h[10], h[11]) = ((byte)(fragment >> 16), (byte)(fragment >> 8), (byte)fragment);
        body.CopyTo(h, 12);
        return h;
    }

    /// <summary>A plausible ClientHello body: version, random, empty session, a cookie, suites, null compression, use_srtp.</summary>
    internal static byte[] ClientHelloBody(Random r, byte[]? extraExtension = null)
    {
        extraExtension ??= [];
        var b = new List<byte> { 0xFE, 0xFD };
        b.AddRange(Random(r, 32));
        b.Add(0);
        int cookie = r.Next(3) == 0 ? 0 : 32;
        b.Add((byte)cookie);
        b.AddRange(Random(r, cookie));
        b.AddRange(new byte[] { 0, 4, 0xC0, 0x2B, 0xC0, 0x2F, 1, 0 });
        b.AddRange(new byte[] { 0, (byte)(9 + extraExtension.Length), 0, 0x0E, 0, 5, 0, 2, 0, 7, 0 }); // use_srtp: AEAD_AES_128_GCM
        b.AddRange(extraExtension);
        return [.. b];
    }

    private static byte[] Random(Random r, int length)
    {
        var b = new byte[length];
        r.NextBytes(b);
        return b;
    }
}
