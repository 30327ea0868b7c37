using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Tests.Support;

/// <summary>
/// Debian's libsrtp2 (2.5, built with NSS so GCM works) as a differential oracle for our managed SRTP.
/// srtp_policy_t is 128 bytes: ssrc {type, value} at 0, rtp/rtcp crypto policies (24 bytes) at 8/32,
/// key pointer at 56, window_size at 88, allow_repeat_tx at 96, next at 120 (libsrtp2-dev 2.5.0 headers).
/// </summary>
internal static unsafe partial class LibSrtp
{
    private const string Library = "libsrtp2.so.1";
    public const int SsrcAnyInbound = 2;
    public const int SsrcAnyOutbound = 3;

    [LibraryImport(Library)] public static partial int srtp_init();
    [LibraryImport(Library)] public static partial int srtp_create(nint* session, byte* policy);
    [LibraryImport(Library)] public static partial int srtp_dealloc(nint session);
    [LibraryImport(Library)] public static partial int srtp_protect(nint session, byte* packet, int* length);
    [LibraryImport(Library)] public static partial int srtp_unprotect(nint session, byte* packet, int* length);
    [LibraryImport(Library)] public static partial int srtp_protect_rtcp(nint session, byte* packet, int* length);
    [LibraryImport(Library)] public static partial int srtp_unprotect_rtcp(nint session, byte* packet, int* length);
    [LibraryImport(Library)] public static partial void srtp_crypto_policy_set_rtp_default(byte* policy);
    [LibraryImport(Library)] public static partial void srtp_crypto_policy_set_aes_gcm_128_16_auth(byte* policy);

    // srtp_init must run once per process; a second call reports bad_param.
    private static readonly Lazy<int> Initialized = new(() =>
    {
        int status = srtp_init();
        return status == 0 ? 0 : throw new InvalidOperationException($"srtp_init returned {status}");
    });

    public static bool Available()
    {
        if (!NativeLibrary.TryLoad(Library, out var h))
        {
            return false;
        }

        NativeLibrary.Free(h);
        return true;
    }

    /// <summary>One libsrtp session; keyAndSalt is master key followed by master salt.</summary>
    public sealed class Session : IDisposable
    {
        private readonly nint _session;
        private readonly byte* _policy;
        private readonly byte* _key;

        public Session(bool gcm, byte[] keyAndSalt, bool inbound)
        {
            _ = Initialized.Value;
            _policy = (byte*)NativeMemory.AllocZeroed(128);
            _key = (byte*)NativeMemory.AllocZeroed(64);
            keyAndSalt.CopyTo(new Span<byte>(_key, 64));
            if (gcm)
            {
                srtp_crypto_policy_set_aes_gcm_128_16_auth(_policy + 8);
                srtp_crypto_policy_set_aes_gcm_128_16_auth(_policy + 32);
            }
            else
            {
                srtp_crypto_policy_set_rtp_default(_policy + 8);
                srtp_crypto_policy_set_rtp_default(_policy + 32);
            }

            *(int*)_policy = inbound ? SsrcAnyInbound : SsrcAnyOutbound;
            *(byte**)(_policy + 56) = _key;
            *(ulong*)(_policy + 88) = 1024;
            nint session;
            Check(srtp_create(&session, _policy));
            _session = session;
        }

        public int Protect(byte[] buffer, int length, bool rtcp)
        {
            fixed (byte* p = buffer)
            {
                int n = length;
                Check(rtcp ? srtp_protect_rtcp(_session, p, &n) : srtp_protect(_session, p, &n));
                return n;
            }
        }

        /// <summary>Returns the plain length, or -status on failure.</summary>
        public int Unprotect(byte[] buffer, int length, bool rtcp)
        {
            fixed (byte* p = buffer)
            {
                int n = length;
                int status = rtcp ? srtp_unprotect_rtcp(_session, p, &n) : srtp_unprotect(_session, p, &n);
                return status == 0 ? n : -status;
            }
        }

        private static void Check(int status)
        {
            if (status != 0)
            {
                throw new InvalidOperationException($"libsrtp returned {status}"); // srtp_err_status_t
            }
        }

        public void Dispose()
        {
            srtp_dealloc(_session);
            NativeMemory.Free(_policy);
            NativeMemory.Free(_key);
        }
    }
}
