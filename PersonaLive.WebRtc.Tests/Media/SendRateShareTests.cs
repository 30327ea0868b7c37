using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The encoder gets the send target less what headers and resends cost on the path, so a sender held at a
/// share of a link's capacity puts that share on the path and not 7 % more plus its resends.
/// </summary>
public sealed class SendRateShareTests
{
    /// <summary>One second of 100 full packets (1,100 payload bytes, 1,176 on the path): 60.8 kb/s of headers.</summary>
    private static SendRateShare OneSecondOfMedia(long startMs = 0, int payload = 1100)
    {
        var share = new SendRateShare();
        for (int i = 0; i < 100; i++)
        {
            share.OnMedia(startMs + i * 10, payload, payload + 76);
        }

        return share;
    }

    [Fact]
    public void Before_anything_was_sent_the_encoder_gets_the_target_less_the_assumed_header_share()
    {
        var share = new SendRateShare();
        Assert.Equal((int)(1000 * (1 - SendRateShare.DefaultOverheadShare)), share.EncoderKbps(1000, 0));
    }

    [Fact]
    public void The_header_bytes_sent_in_the_last_second_come_out_of_the_target()
    {
        var share = OneSecondOfMedia();
        Assert.Equal(60.8, share.OverheadKbps(995), 6);
        Assert.Equal(939, share.EncoderKbps(1000, 995));
    }

    [Fact]
    public void Small_packets_of_an_encoder_under_its_target_cost_their_headers_and_no_more()
    {
        // A still picture: 100 packets of 50 bytes. As a share of the payload the headers would be 150 %
        // and take half the target; as a rate they are the same 60.8 kb/s as for full packets.
        var share = OneSecondOfMedia(payload: 50);
        Assert.Equal(939, share.EncoderKbps(1000, 995));
    }

    [Fact]
    public void Resends_of_the_last_second_come_out_of_the_target_and_are_forgotten_after_it()
    {
        var share = OneSecondOfMedia();
        for (int i = 0; i < 10; i++)
        {
            share.OnResend(900 + i, 1250); // 12.5 kB: 100 kb/s over the one-second window
        }

        Assert.Equal(100, share.ResendKbps(990), 6);
        Assert.Equal(839, share.EncoderKbps(1000, 990));

        for (int i = 0; i < 100; i++)
        {
            share.OnMedia(1000 + i * 10, 1100, 1176);
        }

        Assert.Equal(0, share.ResendKbps(1995));
        Assert.Equal(939, share.EncoderKbps(1000, 1995));
    }

    [Fact]
    public void In_the_first_part_of_a_second_rates_are_taken_over_the_time_covered()
    {
        var share = new SendRateShare();
        for (int i = 0; i < 20; i++)
        {
            share.OnMedia(i * 10, 1100, 1176); // 200 ms at 100 packets per second
        }

        Assert.Equal(60.8, share.OverheadKbps(199), 6);
    }

    [Fact]
    public void A_storm_of_resends_never_takes_more_than_half_of_the_target_from_the_encoder()
    {
        var share = OneSecondOfMedia();
        for (int i = 0; i < 200; i++)
        {
            share.OnResend(500 + i, 1250);
        }

        Assert.Equal(500, share.EncoderKbps(1000, 999));
    }

    [Fact]
    public void After_a_second_of_silence_or_a_clock_step_back_the_old_measure_is_dropped()
    {
        var share = OneSecondOfMedia(10_000);
        share.OnResend(10_500, 50_000);
        Assert.Equal(0, share.ResendKbps(12_000));
        Assert.Equal((int)(1000 * (1 - SendRateShare.DefaultOverheadShare)), share.EncoderKbps(1000, 12_000));

        var stepped = OneSecondOfMedia(10_000);
        stepped.OnResend(10_500, 50_000);
        Assert.Equal(0, stepped.ResendKbps(5_000));
    }
}
