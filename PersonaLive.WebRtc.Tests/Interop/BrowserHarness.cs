using PersonaLive.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// Hosts <see cref="BrowserPage"/> on the host end of a <see cref="TestNetwork"/> (HttpListener), launches
/// stock headless Chromium (<see cref="StockChromium"/>) inside the network's namespace with a fake camera
/// from a .y4m, hands the page's offer to the test's answerer, and returns the JSON the page posts back.
/// The test's media server binds the same host address. Chromium is killed by PID (with its children) at the end.
/// </summary>
internal static class BrowserHarness
{
    public const string Chromium = StockChromium.Path;

    /// <summary>A test network for one run, or a skip (a failure under CI) saying why there is none.</summary>
    public static TestNetwork RequireNetwork()
    {
        var network = TestNetwork.TryCreate(out var problem);
        if (network is null) Prerequisite.Missing(problem!);
        return network;
    }

    public static async Task<string> RunAsync(TestNetwork network, string mode, string y4m, Func<string, string> answerOffer, ITestOutputHelper output, CancellationToken ct)
    {
        string profile = Directory.CreateTempSubdirectory("webrtc-chromium-profile-").FullName;
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int httpPort = FreeTcpPort();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        http.Start();
        var serveTask = Task.Run(() => Serve(http, answerOffer, result, output, ct), ct);
        using var forward = NamespaceLoopbackForward.Start(network, new IPEndPoint(IPAddress.Loopback, httpPort));
        using var browser = StockChromium.Start($"http://127.0.0.1:{forward.Port}/?mode={mode}", y4m, profile, network);
        try
        {
            return await result.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            try
            {
                browser.Kill(entireProcessTree: true);
                await browser.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            http.Stop();
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task Serve(HttpListener http, Func<string, string> answerOffer, TaskCompletionSource<string> result, ITestOutputHelper output, CancellationToken ct)
    {
        while (http.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await http.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException || !http.IsListening)
            {
                return;
            }

            string body = await new StreamReader(ctx.Request.InputStream).ReadToEndAsync(ct);
            string reply = "";
            switch (ctx.Request.Url!.AbsolutePath)
            {
                case "/":
                    reply = BrowserPage.Html;
                    ctx.Response.ContentType = "text/html";
                    break;
                case "/offer":
                    try
                    {
                        reply = answerOffer(body);
                    }
                    catch (Exception e)
                    {
                        reply = "error: " + e.Message;
                    }

                    break;
                case "/log":
                    output.WriteLine("page: " + body);
                    break;
                case "/result":
                    result.TrySetResult(body);
                    break;
            }

            byte[] bytes = Encoding.UTF8.GetBytes(reply);
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes, ct);
            ctx.Response.Close();
        }
    }

    private static int FreeTcpPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
