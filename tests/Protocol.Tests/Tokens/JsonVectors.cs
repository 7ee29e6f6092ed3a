using System.Text.Json;

namespace Privomega.Protocol.Tests.Tokens;

/// <summary>Reads published vector files copied next to the test assembly.</summary>
internal static class JsonVectors
{
    public static JsonDocument Load(string name) => VectorFile.ReadJson(name);

    public static byte[] Hex(this JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) ? Convert.FromHexString(value.GetString()!) : [];

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
