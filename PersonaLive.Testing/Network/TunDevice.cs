using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PersonaLive.TestSupport;

/// <summary>
/// A TUN device (Linux <c>/dev/net/tun</c>, IFF_TUN without packet info): the kernel hands every IP packet
/// routed to it to this process and takes every packet this process writes as if it had arrived on a
/// wire. Created inside a namespace (<see cref="NetnsThread"/>), so the device lives there. The file
/// handle is a SafeHandle; every native status is checked in one place (Check).
/// </summary>
internal sealed unsafe class TunDevice : IDisposable
{
    private const uint TunSetIff = 0x400454ca;
    private const short IffTun = 0x0001, IffNoPi = 0x1000;
    private const short PollIn = 0x0001;
    private readonly SafeFileHandle _handle;

    private TunDevice(SafeFileHandle handle, string name)
    {
        _handle = handle;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Creates device <paramref name="name"/> (at most 15 characters) in the calling thread's namespace.</summary>
    public static TunDevice Create(string name)
    {
        var handle = File.OpenHandle("/dev/net/tun", FileMode.Open, FileAccess.ReadWrite);
        try
        {
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            System.Text.Encoding.ASCII.GetBytes(name, new Span<byte>(request, 15));
            *(short*)(request + 16) = IffTun | IffNoPi;
            Check(ioctl(handle, TunSetIff, request), "ioctl TUNSETIFF");
            return new TunDevice(handle, name);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a packet and reads it; 0 when none came.</summary>
    public int Read(Span<byte> packet, int timeoutMs)
    {
        var fd = new PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = PollIn };
        int ready = poll(&fd, 1, timeoutMs);
        if (ready <= 0) return Check(ready, "poll") * 0;
        fixed (byte* p = packet) return (int)Check(read(_handle, p, packet.Length), "read");
    }

    /// <summary>Writes one IP packet (the kernel receives it on this device).</summary>
    public void Write(ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet) Check(write(_handle, p, packet.Length), "write");
    }

    /// <summary>The one place native statuses are checked: negative means errno (EINTR and EAGAIN read as nothing).</summary>
    private static nint Check(nint status, string what)
    {
        if (status >= 0) return status;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is 4 or 11) return 0;
        throw new IOException($"{what} on a TUN device failed: errno {errno}");
    }

    private static int Check(int status, string what) => (int)Check((nint)status, what);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(SafeFileHandle fd, uint request, byte* argument);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(PollFd* fds, nuint count, int timeoutMs);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(SafeFileHandle fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(SafeFileHandle fd, byte* buffer, nint count);

    public void Dispose() => _handle.Dispose();
}
