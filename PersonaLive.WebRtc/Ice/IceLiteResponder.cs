using System.Net;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>What the responder decided about one STUN binding request.</summary>
public enum IceCheckOutcome
{
    /// <summary>Not an authenticatable request (bad FINGERPRINT, wrong class): ignored silently.</summary>
    Ignored,
    /// <summary>Answered with an error response (400, 401, 420, 487); no state changes.</summary>
    Rejected,
    /// <summary>Authenticated: answered with success; the source address is a valid tuple.</summary>
    Accepted,
}

/// <summary>Result of processing a request: the outcome, whether it nominated, and the response to send.</summary>
public readonly record struct IceCheckResult(IceCheckOutcome Outcome, bool UseCandidate, byte[]? Response, int ErrorCode = 0);

/// <summary>
/// The answering side of connectivity checks (RFC 8445 sections 2.5, 7.3; RFC 8489 section 9.1.3),
/// mirroring mediasoup's order: FINGERPRINT first (else silently ignored), then USERNAME prefix and
/// MESSAGE-INTEGRITY with our password (401), unknown comprehension-required attributes (420),
/// PRIORITY present (400), a role conflict (487, RFC 8445 section 7.3.1.1: ICE-CONTROLLED when we are the
/// controlled lite agent, ICE-CONTROLLING when we are the controlling offerer, which never gives up its role:
/// the answerer of a full offer is the controlled one, section 6.1.1). Only then a success
/// response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. Pure: no sockets, no state.
/// </summary>
public sealed class IceLiteResponder
{
    private readonly byte[] _key;
    private readonly string _usernamePrefix;
    private readonly ushort _conflictingRole;

    /// <summary>Answers checks for <paramref name="localUfrag"/>/<paramref name="localPassword"/>; <paramref name="controlling"/> when we are the controlling agent (our offers), else the lite answerer.</summary>
    public IceLiteResponder(string localUfrag, string localPassword, bool controlling = false)
    {
        _conflictingRole = controlling ? StunConstants.AttrIceControlling : StunConstants.AttrIceControlled;
        LocalUfrag = localUfrag;
        _key = Encoding.UTF8.GetBytes(localPassword);
        _usernamePrefix = localUfrag + ":";
    }

    public string LocalUfrag { get; }

    public IceCheckResult Process(StunMessage request, IPEndPoint source)
    {
        if (request.MessageType != StunConstants.BindingRequest || !request.VerifyFingerprint())
        {
            return new IceCheckResult(IceCheckOutcome.Ignored, false, null);
        }

        string? username = request.Username;
        if (username is null || !username.StartsWith(_usernamePrefix, StringComparison.Ordinal) || !request.VerifyIntegrity(_key))
        {
            return Error(request, 401, "Unauthorized", withIntegrity: false);
        }

        if (request.UnknownComprehensionRequired().Count > 0)
        {
            return Error(request, 420, "Unknown Attribute", withIntegrity: true);
        }

        if (request.Priority is null)
        {
            return Error(request, 400, "Bad Request", withIntegrity: true);
        }

        if (request.Has(_conflictingRole))
        {
            return Error(request, 487, "Role Conflict", withIntegrity: true);
        }

        var response = new StunMessageBuilder(StunConstants.BindingSuccess, request.TransactionId)
            .AddXorMappedAddress(source)
            .AddMessageIntegrity(_key)
            .AddFingerprint()
            .ToArray();
        return new IceCheckResult(IceCheckOutcome.Accepted, request.Has(StunConstants.AttrUseCandidate), response);
    }

    private IceCheckResult Error(StunMessage request, int code, string reason, bool withIntegrity)
    {
        var b = new StunMessageBuilder(StunConstants.BindingError, request.TransactionId).AddErrorCode(code, reason);
        if (withIntegrity)
        {
            b.AddMessageIntegrity(_key);
        }

        return new IceCheckResult(IceCheckOutcome.Rejected, false, b.AddFingerprint().ToArray(), code);
    }
}
