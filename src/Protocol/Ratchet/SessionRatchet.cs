using Privomega.Protocol.Primitives;
using Privomega.Protocol.Session;

namespace Privomega.Protocol.Ratchet;

/// <summary>
/// Starts the optional Double Ratchet of a Privomega session (DESIGN.md, "Session"): SK = k_e,
/// the responder's certified X25519 key as its first ratchet key (the role a signed prekey has in
/// Signal), and messages sealed with <see cref="SessionKeys.AssociatedData"/>.
/// </summary>
public static class SessionRatchet
{
    /// <summary>
    /// The initiator starts from the responder's public key; the responder passes its own key pair,
    /// whose public half must be the session's responder key.
    /// </summary>
    public static DoubleRatchet Start(SessionKeys keys, X25519KeyPair mine, RatchetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(mine);
        if (keys.Role == SessionRole.Initiator)
        {
            return DoubleRatchet.InitializeInitiator(keys.MessageKey, keys.ResponderKey, options);
        }

        if (!mine.PublicKey.Equals(keys.ResponderKey))
        {
            ProtocolThrow.Argument(nameof(mine), "The responder's key pair is not the session's responder key.");
        }

        return DoubleRatchet.InitializeResponder(keys.MessageKey, mine, options);
    }
}
