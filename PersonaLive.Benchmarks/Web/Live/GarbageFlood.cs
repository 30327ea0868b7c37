using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// The soak's garbage flood, sent from a child process (the hidden <c>flood-worker</c> verb of this
/// executable), as an attacker on the network would: its CPU, sockets and threads are its own, not the
/// server's thread pool's. Datagrams of no RFC 7983 class, fake RTP and STUN-looking ones, 20-199
/// bytes, from a loopback port no session authenticated, at a steady rate (bursts every 10 ms).
/// </summary>
internal static class GarbageFlood
{
    private const string Verb = "flood-worker";

    /// <summary>The hidden verb the child runs: <c>flood-worker --port P --seconds S --rate R</c>; prints "sent N cpu MS".</summary>
    public static Command CreateCommand()
    {
        var port = new Option<int>("--port") { Required = true };
        var seconds = new Option<double>("--seconds") { Required = true };
        var rate = new Option<int>("--rate") { Required = true };
        var cmd = new Command(Verb, "Internal: the soak benchmark's garbage flood.") { port, seconds, rate };
        cmd.Hidden = true;
        cmd.SetAction(parse =>
        {
            var sent = Run(new IPEndPoint(IPAddress.Loopback, parse.GetValue(port)), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(rate));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {sent} cpu {cpu:0}"));
            return 0;
        });
        return cmd;
    }

    /// <summary>Starts the child flooding <paramref name="port"/> on loopback (its output redirected; <see cref="FinishAsync"/> reads it).</summary>
    public static Process Start(int port, TimeSpan duration, int perSecond)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(GarbageFlood).Assembly.Location);
        foreach (var a in new[] { Verb, "--port", port.ToString(CultureInfo.InvariantCulture),
                     "--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--rate", perSecond.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("The flood process did not start.");
    }

    /// <summary>Waits for the child; how many datagrams it sent and the CPU it used (ms), zeros when it said nothing.</summary>
    public static async Task<(long Sent, double CpuMs)> FinishAsync(Process child, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(child);
        var output = await child.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await child.WaitForExitAsync(ct).ConfigureAwait(false);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("sent ", StringComparison.Ordinal));
        var words = line?.Split(' ');
        return words is { Length: 4 }
            ? (long.Parse(words[1], CultureInfo.InvariantCulture), double.Parse(words[3], CultureInfo.InvariantCulture))
            : (0, 0);
    }

    /// <summary>Sends <paramref name="perSecond"/> garbage datagrams a second to <paramref name="target"/> for <paramref name="duration"/>.</summary>
    private static long Run(IPEndPoint target, TimeSpan duration, int perSecond)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var address = target.Serialize();
        var random = new Random(7);
        var junk = new byte[200];
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            // steady: after a stall (this process descheduled) at most 50 ms worth at once
            long due = Math.Min((long)(clock.Elapsed.TotalSeconds * perSecond), sent + perSecond / 20);
            for (; sent < due; sent++)
            {
                random.NextBytes(junk);
                junk[0] = (sent % 3) switch { 0 => 0x55, 1 => 0x80, _ => 0x00 }; // no class; RTP; STUN-looking
                if (junk[0] == 0x80) junk[1] = 96;
                try { socket.SendTo(junk.AsSpan(0, 20 + (int)(sent % 180)), SocketFlags.None, address); }
                catch (SocketException) { } // a full loopback queue: the datagram is lost, as on a network
            }
            Thread.Sleep(10);
        }
        return sent;
    }
}
