using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Privomega.Protocol.Interop;

/// <summary>
/// One-time libsodium start-up: loads the library, checks its version and calls <c>sodium_init</c>.
/// A missing library becomes an <see cref="InvalidOperationException"/> that says what to install,
/// instead of a <see cref="DllNotFoundException"/> surfacing from whichever primitive ran first.
/// </summary>
internal static class Sodium
{
    internal const string MissingLibraryMessage =
        "libsodium 1.0.18 (libsodium.so.23) not found: install it with `apt-get install libsodium23`";

    private static volatile bool s_initialized;
    private static readonly Lock s_gate = new();

    /// <summary>Makes sure libsodium is loaded, new enough and initialised; cheap after the first call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void EnsureInitialized()
    {
        if (!s_initialized)
        {
            InitializeCore();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void InitializeCore()
    {
        lock (s_gate)
        {
            if (s_initialized)
            {
                return;
            }

            int major, minor;
            try
            {
                major = Libsodium.sodium_library_version_major();
                minor = Libsodium.sodium_library_version_minor();
            }
            catch (DllNotFoundException e)
            {
                throw new InvalidOperationException(MissingLibraryMessage, e);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new InvalidOperationException(MissingLibraryMessage, e);
            }

            if (major < Libsodium.MinimumLibraryVersionMajor
                || (major == Libsodium.MinimumLibraryVersionMajor && minor < Libsodium.MinimumLibraryVersionMinor))
            {
                string version = Marshal.PtrToStringAnsi((nint)Libsodium.sodium_version_string()) ?? "unknown";
                throw new InvalidOperationException(
                    $"libsodium {version} (library version {major}.{minor}) is too old: found {major}.{minor}, expected at least " +
                    $"{Libsodium.MinimumLibraryVersionMajor}.{Libsodium.MinimumLibraryVersionMinor} (libsodium 1.0.18); " +
                    "install it with `apt-get install libsodium23`");
            }

            // 0 = initialised now, 1 = already initialised by someone else in this process, -1 = failure.
            if (Libsodium.sodium_init() < 0)
            {
                throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned -1).");
            }

            s_initialized = true;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> with bytes from libsodium's CSPRNG.</summary>
    internal static unsafe void RandomBytes(Span<byte> buffer)
    {
        EnsureInitialized();
        fixed (byte* p = buffer)
        {
            Libsodium.randombytes_buf(p, (nuint)buffer.Length);
        }
    }
}
