using System.Text.RegularExpressions;
using Privomega.Protocol.Hpke;

namespace Privomega.Protocol.Tests.Hpke;

/// <summary>One "Setup Information" block of RFC 9180 Appendix A with its encryptions and exports.</summary>
internal sealed record HpkeVector(
    string Suite,
    HpkeAead? Aead,
    Dictionary<string, string> Setup,
    List<Dictionary<string, string>> Encryptions,
    List<Dictionary<string, string>> Exports)
{
    public HpkeMode Mode => (HpkeMode)int.Parse(Setup["mode"], System.Globalization.CultureInfo.InvariantCulture);

    public byte[] Hex(string field) => Convert.FromHexString(Setup[field]);

    public override string ToString() => $"{Suite} mode {Setup["mode"]}";
}

/// <summary>
/// Parses the appendix as published: "## suite" headings, "### ... Setup Information" blocks,
/// "#### Encryptions" and "#### Exported Values" blocks of "key: value" records separated by blank
/// lines, with long hex values wrapped onto following lines.
/// </summary>
internal static partial class HpkeVectorFile
{
    public static List<HpkeVector> Load()
    {
        var vectors = new List<HpkeVector>();
        var suite = "";
        HpkeVector? current = null;
        List<Dictionary<string, string>>? records = null;
        Dictionary<string, string>? record = null;
        string? lastKey = null;

        foreach (var raw in File.ReadLines(VectorFile.PathOf("rfc9180_hpke_x25519_appendix.txt")))
        {
            var line = raw.Trim();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                suite = line[3..];
                current = null;
                continue;
            }

            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                HpkeAead? aead = suite.EndsWith("AES-128-GCM", StringComparison.Ordinal) ? HpkeAead.Aes128Gcm
                    : suite.EndsWith("ChaCha20Poly1305", StringComparison.Ordinal) ? HpkeAead.ChaCha20Poly1305
                    : null;
                current = new HpkeVector(suite, aead, [], [], []);
                vectors.Add(current);
                records = null;
                record = current.Setup;
                continue;
            }

            if (current is null)
            {
                continue;
            }

            if (line is "#### Encryptions" or "#### Exported Values")
            {
                records = line == "#### Encryptions" ? current.Encryptions : current.Exports;
                record = null;
                continue;
            }

            if (line.Length == 0 || line == "~~~")
            {
                // A blank line or a fence ends a record inside the Encryptions / Exports blocks.
                if (records is not null)
                {
                    record = null;
                }

                lastKey = null;
                continue;
            }

            var field = FieldLine().Match(line);
            if (field.Success)
            {
                if (record is null)
                {
                    Assert.NotNull(records);
                    record = [];
                    records.Add(record);
                }

                lastKey = field.Groups[1].Value;
                record[lastKey] = field.Groups[2].Value;
            }
            else
            {
                Assert.True(HexLine().IsMatch(line), $"unexpected line: {line}");
                Assert.NotNull(record);
                Assert.NotNull(lastKey);
                record[lastKey] += line;
            }
        }

        return vectors;
    }

    [GeneratedRegex("^([a-zA-Z_ ]+):\\s*([0-9a-fA-F]*)$")]
    private static partial Regex FieldLine();

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex HexLine();
}
