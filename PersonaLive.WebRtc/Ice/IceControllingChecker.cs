using System.Security.Cryptography;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>
/// The controlling side's connectivity checks for our client role (RFC 8445 section 7.2.4, aggressive
/// nomination against a lite peer): binding requests with USERNAME "remote:local", PRIORITY,
/// ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY keyed with the remote password, FINGERPRINT; and
/// validation of the responses (matching transaction id, FINGERPRINT and MESSAGE-INTEGRITY).
/// </summary>
public sealed class IceControllingChecker
{
    private readonly string _username;
    private readonly byte[] _remoteKey;
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Dictionary<string, long> _pending = new();

    public IceControllingChecker(string localUfrag, string remoteUfrag, string remotePassword)
    {
        _username = remoteUfrag + ":" + localUfrag;
        _remoteKey = Encoding.UTF8.GetBytes(remotePassword);
    }

    /// <summary>Builds the next binding request and remembers its transaction id.</summary>
    public byte[] CreateRequest(long nowMs)
    {
        var tid = RandomNumberGenerator.GetBytes(12);
        lock (_pending)
        {
            if (_pending.Count > 64)
            {
                _pending.Clear();
            }

            _pending[Convert.ToHexString(tid)] = nowMs;
        }

        return new StunMessageBuilder(StunConstants.BindingRequest, tid)
            .AddString(StunConstants.AttrUsername, _username)
            .AddUInt32(StunConstants.AttrPriority, 1853824767)
            .AddUInt64(StunConstants.AttrIceControlling, _tieBreaker)
            .Add(StunConstants.AttrUseCandidate, ReadOnlySpan<byte>.Empty)
            .AddMessageIntegrity(_remoteKey)
            .AddFingerprint()
            .ToArray();
    }

    /// <summary>True for an authentic success response to one of our requests.</summary>
    public bool AcceptResponse(StunMessage response)
    {
        if (response.MessageType != StunConstants.BindingSuccess || !response.VerifyFingerprint() || !response.VerifyIntegrity(_remoteKey))
        {
            return false;
        }

        lock (_pending)
        {
            return _pending.Remove(Convert.ToHexString(response.TransactionId));
        }
    }
}
