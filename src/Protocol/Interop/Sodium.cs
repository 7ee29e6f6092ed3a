using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Privomega.Protocol.Interop;

/// <summary>
/// One-time libsodium start-up for the Interop wall: loads the library the <c>libsodium</c> NuGet
/// package ships (the one NSec uses), checks its version (at least 1.0.18, the first with the
/// ed25519 and ristretto255 core API) and calls <c>sodium_init</c>. A missing library becomes an
/// <see cref="InvalidOperationException"/> that says what is missing, instead of a
/// <see cref="DllNotFoundException"/> surfacing from whichever primitive ran first.
/// </summary>
internal static class Sodium
{
    internal const string MissingLibraryMessage =
        "libsodium not found: it ships in the `libsodium` NuGet package (a dependency of NSec.Cryptography) " +
        "as runtimes/<rid>/native/libsodium.*; restore and build the project for a supported runtime (e.g. linux-x64) " +
        "so the library is copied beside the application";

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
                    "a system library must not shadow the one the `libsodium` NuGet package ships");
            }

            // 0 = initialised now, 1 = already initialised by someone else in this process, -1 = failure.
            if (Libsodium.sodium_init() < 0)
            {
                throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned -1).");
            }

            s_initialized = true;
        }
    }

    /// <summary>The version string of the libsodium this process runs (e.g. <c>1.0.22</c>).</summary>
    internal static unsafe string VersionString
    {
        get
        {
            EnsureInitialized();
            return Marshal.PtrToStringAnsi((nint)Libsodium.sodium_version_string()) ?? string.Empty;
        }
    }
}
