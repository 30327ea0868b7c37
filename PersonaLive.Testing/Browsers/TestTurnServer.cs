using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace PersonaLive.TestSupport;

/// <summary>
/// Debian's coturn (<c>turnserver</c>) for one test, listening on and relaying from a
/// <see cref="TestNetwork"/>'s host address only, with TURN REST API authentication
/// (<c>use-auth-secret</c> + <c>static-auth-secret</c>, a random secret per run). No configuration
/// file, no TLS, no CLI; UDP and TCP on one port. Killed with <see cref="Dispose"/>.
/// </summary>
internal sealed class TestTurnServer : IDisposable
{
    public const string Executable = "/usr/bin/turnserver";
    private readonly Process _process;
    private readonly List<string> _log = new();

    private TestTurnServer(Process process, IPAddress address, int port, string secret)
    {
        _process = process;
        Address = address;
        Port = port;
        SharedSecret = secret;
    }

    /// <summary>True when coturn is installed.</summary>
    public static bool IsInstalled => File.Exists(Executable);

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>The static-auth-secret (the app derives per-page credentials from it).</summary>
    public string SharedSecret { get; }

    /// <summary>Everything coturn printed so far.</summary>
    public string Log
    {
        get { lock (_log) { return string.Join('\n', _log); } }
    }

    /// <summary>Starts coturn on <paramref name="network"/>'s host address and waits until it listens.</summary>
    public static TestTurnServer Start(TestNetwork network)
    {
        int port = 20000 + Random.Shared.Next(20000);
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var psi = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "-n", "--verbose", "--no-cli", "--no-tls", "--no-dtls", "--log-file=stdout", "--simple-log",
            $"--listening-ip={network.HostAddress}", $"--relay-ip={network.HostAddress}", $"--listening-port={port}",
            "--min-port=40000", "--max-port=40999", "--realm=personalive.test", "--use-auth-secret", $"--static-auth-secret={secret}",
            "--fingerprint", "--no-rfc5780", "--no-stun-backward-compatibility", "--pidfile=/dev/null", "--no-software-attribute",
            $"--allowed-peer-ip={network.HostAddress}",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("coturn did not start.");
        var server = new TestTurnServer(process, network.HostAddress, port, secret);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!server.Log.Contains("Total General servers", StringComparison.Ordinal) && !server.Log.Contains("listener opened on", StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > until)
            {
                server.Dispose();
                throw new InvalidOperationException($"coturn did not come up: {server.Log}");
            }

            Thread.Sleep(50);
        }

        Thread.Sleep(300);
        return server;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
