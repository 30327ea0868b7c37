using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>What a response to one of our checks proved.</summary>
/// <param name="Accepted">An authentic success for a request we sent, from the address we sent it to.</param>
/// <param name="Nominating">That request carried USE-CANDIDATE: the pair is now nominated (RFC 8445 section 8.1.1).</param>
public readonly record struct IceCheckResponse(bool Accepted, bool Nominating);

/// <summary>
/// The controlling side's connectivity checks for our offerer role (RFC 8445 section 7.2.4): binding
/// requests with USERNAME "remote:local", PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY keyed with the remote
/// password and FINGERPRINT, with USE-CANDIDATE only when the caller nominates (regular nomination, section
/// 8.1.1); and validation of the responses (section 7.2.5: matching transaction id, FINGERPRINT,
/// MESSAGE-INTEGRITY, and a source equal to the request's destination, section 7.2.5.2.1).
/// Pure: no sockets, no clock of its own.
/// </summary>
public sealed class IceControllingChecker
{
    /// <summary>PRIORITY of our checks: a host candidate of component 1 (RFC 8445 section 5.1.2.1, type preference 126, local 65535).</summary>
    public const uint CheckPriority = (126u << 24) | (65535u << 8) | 255u;

    private readonly string _username;
    private readonly byte[] _remoteKey;
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Dictionary<string, (IPEndPoint To, bool UseCandidate)> _pending = new();

    public IceControllingChecker(string localUfrag, string remoteUfrag, string remotePassword)
    {
        _username = remoteUfrag + ":" + localUfrag;
        _remoteKey = Encoding.UTF8.GetBytes(remotePassword);
    }

    /// <summary>Builds a binding request to <paramref name="to"/> and remembers its transaction id.</summary>
    public byte[] CreateRequest(IPEndPoint to, bool useCandidate)
    {
        ArgumentNullException.ThrowIfNull(to);
        var tid = RandomNumberGenerator.GetBytes(12);
        lock (_pending)
        {
            if (_pending.Count > 64)
            {
                _pending.Clear(); // unanswered checks of a long session: forget them rather than grow
            }

            _pending[Convert.ToHexString(tid)] = (to, useCandidate);
        }

        var b = new StunMessageBuilder(StunConstants.BindingRequest, tid)
            .AddString(StunConstants.AttrUsername, _username)
            .AddUInt32(StunConstants.AttrPriority, CheckPriority)
            .AddUInt64(StunConstants.AttrIceControlling, _tieBreaker);
        if (useCandidate)
        {
            b.Add(StunConstants.AttrUseCandidate, ReadOnlySpan<byte>.Empty);
        }

        return b.AddMessageIntegrity(_remoteKey).AddFingerprint().ToArray();
    }

    /// <summary>Checks a response that came from <paramref name="source"/>; a request is answered once.</summary>
    public IceCheckResponse AcceptResponse(StunMessage response, IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.MessageType != StunConstants.BindingSuccess || !response.VerifyFingerprint() || !response.VerifyIntegrity(_remoteKey))
        {
            return default;
        }

        string key = Convert.ToHexString(response.TransactionId);
        lock (_pending)
        {
            if (!_pending.TryGetValue(key, out var sent) || !sent.To.Equals(source))
            {
                return default; // not ours, or a non-symmetric answer (section 7.2.5.2.1)
            }

            _pending.Remove(key);
            return new IceCheckResponse(true, sent.UseCandidate);
        }
    }
}
