using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// One stock Chromium (<see cref="StockChromium"/>, inside the stage's test network) driven over the
/// DevTools protocol on its <c>--remote-debugging-pipe</c> (fd 3 in, fd 4 out, messages ending in a NUL
/// byte; two named pipes bridge them through <c>ip netns exec</c>), so a benchmark can open many
/// isolated browser contexts (each a separate user: own cookies, own camera grant) in one browser and
/// tear a context down at once, the way a user's tab disappears. The app has no Playwright; this is the
/// small part of the protocol the storm needs: create and dispose contexts, open a page, evaluate.
/// </summary>
internal sealed class CdpBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly FileStream _toBrowser;
    private readonly FileStream _fromBrowser;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly Task _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _nextId;

    private CdpBrowser(Process process, FileStream toBrowser, FileStream fromBrowser)
    {
        (_process, _toBrowser, _fromBrowser) = (process, toBrowser, fromBrowser);
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Starts headless Chromium in <paramref name="stage"/>'s namespace with the fake camera playing <paramref name="cameraY4m"/>.</summary>
    public static async Task<CdpBrowser> StartAsync(BrowserStage stage, string cameraY4m, CancellationToken ct)
    {
        string dir = Directory.CreateDirectory(Path.Combine(stage.Work.FullName, "cdp-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        string input = Path.Combine(dir, "in"), output = Path.Combine(dir, "out");
        foreach (var fifo in new[] { input, output })
        {
            using var mk = Process.Start("mkfifo", [fifo]) ?? throw new InvalidOperationException("mkfifo did not start.");
            await mk.WaitForExitAsync(ct).ConfigureAwait(false);
        }

        var args = string.Join(' ', StockChromium.Flags(cameraY4m).Concat(
            ["--headless=new", "--no-first-run", "--mute-audio", "--remote-debugging-pipe", $"--user-data-dir={Path.Combine(dir, "profile")}", "about:blank"])
            .Select(a => "'" + a + "'"));
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {string.Join(' ', stage.Network.Inside(StockChromium.Path))} {args} 3<'{input}' 4>'{output}'");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Chromium did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // the shell opens fd 3 (our writing end) before fd 4 (our reading end); open in the same order
        var open = Task.Run(() => (new FileStream(input, FileMode.Open, FileAccess.Write), new FileStream(output, FileMode.Open, FileAccess.Read)), ct);
        var (to, from) = await open.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        return new CdpBrowser(process, to, from);
    }

    /// <summary>Sends one command (to the browser, or to an attached page's <paramref name="sessionId"/>) and returns its result.</summary>
    public async Task<JsonNode?> SendAsync(string method, JsonObject? parameters = null, string? sessionId = null, CancellationToken ct = default)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (sessionId is not null) message["sessionId"] = sessionId;
        byte[] bytes = [.. Encoding.UTF8.GetBytes(message.ToJsonString()), 0];
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _toBrowser.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _toBrowser.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
    }

    /// <summary>A new isolated context (a separate user) with one page on <paramref name="url"/>; returns the context and the page's session.</summary>
    public async Task<(string Context, string Session)> OpenUserAsync(string url, CancellationToken ct)
    {
        var context = (await SendAsync("Target.createBrowserContext", ct: ct).ConfigureAwait(false))!["browserContextId"]!.GetValue<string>();
        var target = (await SendAsync("Target.createTarget", new JsonObject { ["url"] = url, ["browserContextId"] = context }, ct: ct).ConfigureAwait(false))!["targetId"]!.GetValue<string>();
        var session = (await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true }, ct: ct).ConfigureAwait(false))!["sessionId"]!.GetValue<string>();
        return (context, session);
    }

    /// <summary>Disposes a context with its pages at once: no Stop, no unload handshake the app could rely on.</summary>
    public Task CloseUserAsync(string context, CancellationToken ct) =>
        SendAsync("Target.disposeBrowserContext", new JsonObject { ["browserContextId"] = context }, ct: ct);

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as text ("" when the page has none yet).</summary>
    public async Task<string> EvaluateAsync(string session, string expression, CancellationToken ct)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, session, ct).ConfigureAwait(false);
        return result?["result"]?["value"]?.ToString() ?? "";
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        while (true)
        {
            int n;
            try
            {
                n = await _fromBrowser.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                break;
            }

            if (n == 0) break;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != 0)
                {
                    message.WriteByte(buffer[i]);
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray());
                message.SetLength(0);
                if (node?["id"] is { } idNode && _pending.TryRemove(idNode.GetValue<int>(), out var reply))
                {
                    if (node["error"] is { } error) reply.TrySetException(new InvalidOperationException($"DevTools: {error.ToJsonString()}"));
                    else reply.TrySetResult(node["result"]);
                }
            }
        }

        foreach (var reply in _pending.Values) reply.TrySetException(new IOException("The browser closed its DevTools pipe."));
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await _toBrowser.DisposeAsync().ConfigureAwait(false);
        await _fromBrowser.DisposeAsync().ConfigureAwait(false);
        try { await _reader.ConfigureAwait(false); } catch (IOException) { }
        _process.Dispose();
        _writeLock.Dispose();
    }
}
