using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PersonaLive.TestSupport;

/// <summary>
/// Runs a piece of code with the calling thread switched into a named network namespace (setns(2) with
/// CLONE_NEWNET affects only that thread): a fresh thread enters the namespace, runs the code, switches
/// back and ends. Sockets created there stay in that namespace for their whole life, whichever thread
/// later reads or writes them. That is how an in-process server or client gets its media socket on a
/// test link (<see cref="NetworkLab"/>, <see cref="NamespaceLoopbackForward"/>) while the rest of the
/// process stays where it is.
/// </summary>
internal static class NetnsThread
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Runs <paramref name="create"/> inside namespace <paramref name="ns"/> (a name under /var/run/netns) and returns its result; its exception is rethrown.</summary>
    public static T Run<T>(string ns, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var inside = File.OpenHandle($"/var/run/netns/{ns}");
                Check(setns(inside, CloneNewNet), "enter", ns);
                try
                {
                    result = create();
                }
                finally
                {
                    Check(setns(home, CloneNewNet), "leave", ns);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"In network namespace {ns}: {failure.Message}", failure);
        }

        return result!;
    }

    private static void Check(int status, string what, string ns)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"setns ({what} {ns}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(SafeFileHandle fd, int nstype);
}
