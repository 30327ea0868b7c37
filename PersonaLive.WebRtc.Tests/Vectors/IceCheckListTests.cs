using System.Net;
using System.Text;
using PersonaLive.WebRtc.Ice;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>
/// Our controlling agent (WHIP client role, RFC 8445 sections 7.2 and 8.1.1): the checks it sends, to which
/// candidates and when, regular nomination, the response checks, peer-reflexive learning, and its answers to
/// a full remote agent's checks. The remote side is played by <see cref="IceLiteResponder"/> with the
/// remote credentials, so every byte crosses a real STUN encode/verify.
/// </summary>
public sealed class IceCheckListTests
{
    private const string LocalUfrag = "locU";
    private const string RemoteUfrag = "remU";
    private const string RemotePassword = "remote-password-0123456789";
    private static readonly IPEndPoint A = new(IPAddress.Parse("192.0.2.10"), 5000);
    private static readonly IPEndPoint B = new(IPAddress.Parse("192.0.2.11"), 5001);
    private readonly IceLiteResponder _remote = new(RemoteUfrag, RemotePassword);

    private static IceCheckList NewList(params IPEndPoint[] candidates) =>
        new(new IceControllingChecker(LocalUfrag, RemoteUfrag, RemotePassword), candidates);

    private static StunMessage Parse(byte[] datagram)
    {
        Assert.True(StunMessage.TryParse(datagram, out var m));
        return m!;
    }

    /// <summary>The remote answers a check as it arrived (source = our address as seen by it).</summary>
    private StunMessage Answer(byte[] request)
    {
        var result = _remote.Process(Parse(request), new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000));
        Assert.Equal(IceCheckOutcome.Accepted, result.Outcome);
        return Parse(result.Response!);
    }

    [Fact]
    public void Checks_every_candidate_round_robin_paced_by_Ta_without_nominating()
    {
        var list = NewList(A, B);
        var first = list.Due(1000)!.Value;
        Assert.Null(list.Due(1000 + IceCheckList.TaMs - 1)); // paced
        var second = list.Due(1000 + IceCheckList.TaMs)!.Value;
        var third = list.Due(1000 + 2 * IceCheckList.TaMs)!.Value;
        Assert.Equal([A, B, A], new[] { first.To, second.To, third.To });

        var m = Parse(first.Request);
        Assert.Equal(StunConstants.BindingRequest, m.MessageType);
        Assert.Equal(RemoteUfrag + ":" + LocalUfrag, m.Username);
        Assert.Equal(IceControllingChecker.CheckPriority, m.Priority);
        Assert.True(m.Has(StunConstants.AttrIceControlling));
        Assert.False(m.Has(StunConstants.AttrUseCandidate)); // regular nomination: not before a pair is valid
        Assert.True(m.VerifyIntegrity(Encoding.UTF8.GetBytes(RemotePassword)));
        Assert.True(m.VerifyFingerprint());
    }

    [Fact]
    public void First_success_selects_then_use_candidate_on_that_pair_nominates_then_consent_pacing()
    {
        var list = NewList(A, B);
        _ = list.Due(0);
        var toB = list.Due(50)!.Value;
        Assert.True(list.OnResponse(Answer(toB.Request), B, out bool accepted));
        Assert.True(accepted);
        Assert.Equal(B, list.Selected);
        Assert.False(list.Nominated);

        var nominate = list.Due(100)!.Value;
        Assert.Equal(B, nominate.To);
        Assert.True(Parse(nominate.Request).Has(StunConstants.AttrUseCandidate));
        Assert.False(list.OnResponse(Answer(nominate.Request), B, out accepted)); // not the first success any more
        Assert.True(accepted);
        Assert.True(list.Nominated);

        var consent = list.Due(150)!.Value; // the first consent check leaves at once, the next a second later
        Assert.Equal(B, consent.To);
        Assert.False(Parse(consent.Request).Has(StunConstants.AttrUseCandidate));
        Assert.Null(list.Due(150 + IceCheckList.ConsentIntervalMs - 1));
        Assert.NotNull(list.Due(150 + IceCheckList.ConsentIntervalMs));
    }

    [Fact]
    public void A_success_for_an_ordinary_check_never_counts_as_nomination()
    {
        var list = NewList(A);
        var check = list.Due(0)!.Value;
        list.OnResponse(Answer(check.Request), A, out _);
        var again = list.Due(50)!.Value; // USE-CANDIDATE now; but answer the old one twice: replay is refused
        Assert.False(list.OnResponse(Answer(check.Request), A, out bool replayAccepted));
        Assert.False(replayAccepted);
        Assert.False(list.Nominated);
        list.OnResponse(Answer(again.Request), A, out _);
        Assert.True(list.Nominated);
    }

    [Fact]
    public void Responses_from_another_address_or_with_a_wrong_key_are_refused()
    {
        var list = NewList(A, B);
        var toA = list.Due(0)!.Value;
        Assert.False(list.OnResponse(Answer(toA.Request), B, out bool accepted)); // not symmetric (section 7.2.5.2.1)
        Assert.False(accepted);
        Assert.Null(list.Selected);

        var forged = new IceLiteResponder(RemoteUfrag, "another-password-xxxxxxxxx").Process(
            Parse(new StunMessageBuilder(StunConstants.BindingRequest, Parse(toA.Request).TransactionId)
                .AddString(StunConstants.AttrUsername, RemoteUfrag + ":x").AddUInt32(StunConstants.AttrPriority, 1)
                .AddMessageIntegrity(Encoding.UTF8.GetBytes("another-password-xxxxxxxxx")).AddFingerprint().ToArray()), A);
        Assert.False(list.OnResponse(Parse(forged.Response!), A, out accepted));
        Assert.False(accepted);
        Assert.True(list.OnResponse(Answer(toA.Request), A, out accepted)); // the genuine one still counts
        Assert.Equal(A, list.Selected);
    }

    [Fact]
    public void A_remote_check_from_an_unknown_address_adds_a_peer_reflexive_pair_checked_at_once()
    {
        var list = NewList(A);
        _ = list.Due(0);
        var prflx = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 6000);
        Assert.True(list.OnRemoteCheck(prflx));
        Assert.False(list.OnRemoteCheck(prflx));
        Assert.Equal([A, prflx], list.Pairs);
        Assert.Equal(prflx, list.Due(1)!.Value.To); // triggered: no Ta wait, ahead of the round robin
        Assert.Contains(A, new[] { list.Due(51)!.Value.To, list.Due(101)!.Value.To }); // then the round robin goes on
    }

    [Fact]
    public void A_hostile_answer_cannot_make_us_check_more_than_MaxPairs_addresses()
    {
        var many = Enumerable.Range(1, 40).Select(i => new IPEndPoint(IPAddress.Parse($"192.0.2.{i}"), 9000)).ToArray();
        var list = NewList(many);
        Assert.Equal(IceCheckList.MaxPairs, list.Pairs.Count);
        Assert.False(list.OnRemoteCheck(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 1)));
    }

    [Fact]
    public void As_controlling_agent_we_answer_a_controlled_peers_checks_and_refuse_a_second_controller_with_487()
    {
        var responder = new IceLiteResponder(LocalUfrag, "local-password-0123456789", controlling: true);
        StunMessage Check(ushort role) => Parse(new StunMessageBuilder(StunConstants.BindingRequest, new byte[12])
            .AddString(StunConstants.AttrUsername, LocalUfrag + ":" + RemoteUfrag).AddUInt32(StunConstants.AttrPriority, 1)
            .AddUInt64(role, 7).AddMessageIntegrity(Encoding.UTF8.GetBytes("local-password-0123456789")).AddFingerprint().ToArray());
        Assert.Equal(IceCheckOutcome.Accepted, responder.Process(Check(StunConstants.AttrIceControlled), A).Outcome);
        Assert.Equal(487, responder.Process(Check(StunConstants.AttrIceControlling), A).ErrorCode);
    }
}
