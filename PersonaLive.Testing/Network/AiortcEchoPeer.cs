using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace PersonaLive.TestSupport;

/// <summary>
/// The aiortc echo peer (<c>Network/Aiortc/aiortc_echo.py</c> on Debian's python3-aiortc) as a server
/// the synthetic clients offer to, in place of our host: it decodes each session's VP8, scales it to our
/// echo engine's 256x256 and encodes it again with aiortc's own encoder and rate control. One Python
/// process serves every session (like our one host process); it runs in the lab's server namespace when
/// given one. Offers and answers travel as JSON lines on its stdin and stdout.
/// </summary>
internal sealed class AiortcEchoPeer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IPAddress? _onlyAddress;
    private int _next;

    private AiortcEchoPeer(Process process, IPAddress? onlyAddress)
    {
        _process = process;
        _onlyAddress = onlyAddress;
    }

    /// <summary>Null when python3-aiortc is installed, else what is missing.</summary>
    public static string? Missing =>
        File.Exists(Python) && Directory.Exists("/usr/lib/python3/dist-packages/aiortc") ? null : "aiortc is not installed (apt-get install python3-aiortc)";

    /// <summary>The script, copied next to the test or benchmark assembly.</summary>
    public static string Script => Path.Combine(AppContext.BaseDirectory, "Network", "Aiortc", "aiortc_echo.py");

    /// <summary>The process, for CPU accounting.</summary>
    public Process Process => _process;

    /// <summary>Starts the peer in <paramref name="lab"/>'s server namespace (answers then carry only its address).</summary>
    public static AiortcEchoPeer Start(NetworkLab lab, int size = 256)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return Start(lab.ServerNamespace, lab.ServerAddress, size);
    }

    /// <summary>Starts the peer in namespace <paramref name="ns"/> (null: this one); answers keep only candidates of <paramref name="onlyAddress"/> when given.</summary>
    public static AiortcEchoPeer Start(string? ns, IPAddress? onlyAddress, int size = 256)
    {
        IReadOnlyList<string> command = ns is null ? [Python, Script, $"{size}"] : ["ip", "netns", "exec", ns, Python, Script, $"{size}"];
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new AiortcEchoPeer(process, onlyAddress);
    }

    /// <summary>A new session's offer (aiortc offers; our client answers, see the script).</summary>
    public async Task<(string SessionId, string Offer)> OfferAsync(CancellationToken ct)
    {
        int id = Interlocked.Increment(ref _next);
        var reply = await RequestAsync(new Dictionary<string, object> { ["id"] = id, ["offer"] = true }, ct).ConfigureAwait(false);
        if (reply.TryGetProperty("error", out var error)) throw new InvalidOperationException($"aiortc could not offer: {error.GetString()}");
        string offer = reply.GetProperty("sdp").GetString()!;
        if (_onlyAddress is { } only)
        {
            offer = string.Join("\r\n", offer.Split("\r\n").Where(l => !l.StartsWith("a=candidate:", StringComparison.Ordinal) || l.Contains($" {only} ", StringComparison.Ordinal)));
        }

        return (id.ToString(System.Globalization.CultureInfo.InvariantCulture), offer);
    }

    /// <summary>Applies our client's answer to session <paramref name="sessionId"/>.</summary>
    public async Task SendAnswerAsync(string sessionId, string answer, CancellationToken ct)
    {
        var reply = await RequestAsync(new Dictionary<string, object> { ["id"] = int.Parse(sessionId, System.Globalization.CultureInfo.InvariantCulture), ["answer"] = answer }, ct).ConfigureAwait(false);
        if (reply.TryGetProperty("error", out var error)) throw new InvalidOperationException($"aiortc refused the answer: {error.GetString()}");
    }

    /// <summary>A synthetic client on <paramref name="bindAddress"/> (in <paramref name="ns"/> when given) connected to a new session of this peer (unpaced when <paramref name="pacedSend"/> is false).</summary>
    public Task<Web.Live.Benchmarks.SyntheticLiveClient> ConnectClientAsync(string bindAddress, string? ns, bool decodeOutput, CancellationToken ct, bool pacedSend = true) =>
        Web.Live.Benchmarks.SyntheticLiveClient.AnswerAsync(OfferAsync, SendAnswerAsync, ct, decodeOutput, bindAddress, ns, pacedSend);

    /// <summary>Closes one session's peer connection.</summary>
    public async Task CloseAsync(string sessionId, CancellationToken ct) =>
        await RequestAsync(new Dictionary<string, object> { ["id"] = int.Parse(sessionId, System.Globalization.CultureInfo.InvariantCulture), ["close"] = true }, ct).ConfigureAwait(false);

    private async Task<JsonElement> RequestAsync(Dictionary<string, object> request, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request).AsMemory(), ct).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
            var line = await _process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The aiortc echo peer exited (code {(_process.HasExited ? _process.ExitCode : -1)}).");
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
        }

        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _gate.Dispose();
    }
}
