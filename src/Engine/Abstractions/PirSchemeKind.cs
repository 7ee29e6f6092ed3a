namespace Privomega.Pir.Engine;

/// <summary>
/// The PIR schemes the engine implements. The value is the scheme byte that follows the version
/// byte in every query and answer encoding, so values are never reused.
/// </summary>
public enum PirSchemeKind : byte
{
    /// <summary>No privacy: the query names the index. Exists so generic tests have a baseline.</summary>
    Plain = 0,

    /// <summary>Two-server XOR PIR with an N-bit selection vector per server.</summary>
    XorBitVector = 1,

    /// <summary>Two-server XOR PIR with distributed-point-function keys.</summary>
    XorDpf = 2,

    /// <summary>Single-server lattice (BFV) PIR.</summary>
    Lattice = 3,

    /// <summary>Single-server YPIR-class PIR: LWE first dimension at memory speed, response packed into RLWE (no client hint).</summary>
    Ypir = 4,
}
