using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// Hosts <see cref="BrowserPage"/> on 127.0.0.1 (HttpListener), launches headless Debian Chromium with a
/// fake camera from a .y4m, hands the page's offer to the test's answerer, and returns the JSON the page
/// posts back. Chromium is killed by PID (with its children) at the end.
/// </summary>
internal static class BrowserHarness
{
    public const string Chromium = "/usr/bin/chromium";

    public static async Task<string> RunAsync(string mode, string y4m, Func<string, string> answerOffer, ITestOutputHelper output, CancellationToken ct)
    {
        string profile = Directory.CreateTempSubdirectory("webrtc-chromium-profile-").FullName;
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int httpPort = FreeTcpPort();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        http.Start();
        var serveTask = Task.Run(() => Serve(http, answerOffer, result, output, ct), ct);
        var psi = new ProcessStartInfo(Chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            $"--use-file-for-fake-video-capture={y4m}",
            "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            $"http://127.0.0.1:{httpPort}/?mode={mode}",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        using var browser = Process.Start(psi)!;
        browser.ErrorDataReceived += (_, _) => { };
        browser.OutputDataReceived += (_, _) => { };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
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
