namespace Privomega.Protocol.Vrf;

/// <summary>The two RFC 9381 ECVRF suites over edwards25519; the value is the RFC's suite_string byte.</summary>
public enum EcVrfSuite : byte
{
    /// <summary>ECVRF-EDWARDS25519-SHA512-TAI: hashing to the curve by try-and-increment.</summary>
    Edwards25519Sha512Tai = 0x03,

    /// <summary>ECVRF-EDWARDS25519-SHA512-ELL2: hashing to the curve per RFC 9380 (edwards25519_XMD:SHA-512_ELL2_NU_).</summary>
    Edwards25519Sha512Ell2 = 0x04,
}
