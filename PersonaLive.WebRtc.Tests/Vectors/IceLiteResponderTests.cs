using System.Net;
using System.Text;
using PersonaLive.WebRtc.Ice;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>The ICE-lite request checks, in mediasoup's order, and the success response contents.</summary>
public sealed class IceLiteResponderTests
{
    private const string Ufrag = "srvu";
    private const string Password = "0123456789abcdefghijkl";
    private static readonly IPEndPoint Source = new(IPAddress.Parse("192.0.2.2"), 38554);
    private readonly IceLiteResponder _responder = new(Ufrag, Password);

    private static StunMessage Request(Action<StunMessageBuilder>? extra = null, string username = Ufrag + ":EN6i", string password = Password,
        bool priority = true, bool fingerprint = true)
    {
        var b = new StunMessageBuilder(StunConstants.BindingRequest, Enumerable.Range(1, 12).Select(i => (byte)i).ToArray())
            .AddString(StunConstants.AttrUsername, username)
            .AddUInt64(StunConstants.AttrIceControlling, 42);
        if (priority)
        {
            b.AddUInt32(StunConstants.AttrPriority, 1845501695);
        }

        extra?.Invoke(b);
        b.AddMessageIntegrity(Encoding.UTF8.GetBytes(password));
        if (fingerprint)
        {
            b.AddFingerprint();
        }

        Assert.True(StunMessage.TryParse(b.ToArray(), out var m));
        return m!;
    }

    [Fact]
    public void Authentic_nominating_request_gets_a_verifiable_success_with_the_source_address()
    {
        var result = _responder.Process(Request(b => b.Add(StunConstants.AttrUseCandidate, [])), Source);
        Assert.Equal(IceCheckOutcome.Accepted, result.Outcome);
        Assert.True(result.UseCandidate);
        Assert.True(StunMessage.TryParse(result.Response, out var response));
        Assert.Equal(StunConstants.BindingSuccess, response!.MessageType);
        Assert.Equal(Source, response.XorMappedAddress);
        Assert.True(response.VerifyFingerprint());
        Assert.True(response.VerifyIntegrity(Encoding.UTF8.GetBytes(Password)));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (byte)i).ToArray(), response.TransactionId.ToArray());
    }

    [Fact]
    public void Missing_fingerprint_is_ignored_silently() =>
        Assert.Equal(IceCheckOutcome.Ignored, _responder.Process(Request(fingerprint: false), Source).Outcome);

    [Theory]
    [InlineData("other:EN6i", Password, 401)]
    [InlineData(Ufrag + ":EN6i", "a-wrong-password-xxxxxx", 401)]
    public void Wrong_username_or_integrity_is_401(string username, string password, int code)
    {
        var result = _responder.Process(Request(username: username, password: password), Source);
        Assert.Equal(IceCheckOutcome.Rejected, result.Outcome);
        Assert.Equal(code, result.ErrorCode);
        Assert.True(StunMessage.TryParse(result.Response, out var response));
        Assert.Equal(code, response!.ErrorCode);
    }

    [Fact]
    public void Missing_priority_is_400_and_ice_controlled_is_487_and_unknown_required_attribute_is_420()
    {
        Assert.Equal(400, _responder.Process(Request(priority: false), Source).ErrorCode);
        Assert.Equal(487, _responder.Process(Request(b => b.AddUInt64(StunConstants.AttrIceControlled, 1)), Source).ErrorCode);
        Assert.Equal(420, _responder.Process(Request(b => b.AddUInt32(0x0033, 1)), Source).ErrorCode);
        // comprehension-optional unknowns (>= 0x8000, e.g. Chrome's GOOG-NETWORK-INFO 0xC057) are fine
        Assert.Equal(IceCheckOutcome.Accepted, _responder.Process(Request(b => b.AddUInt32(0xC057, 1)), Source).Outcome);
    }
}
