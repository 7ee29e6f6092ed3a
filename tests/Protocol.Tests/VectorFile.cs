using System.Text.Json;

namespace Privomega.Protocol.Tests;

/// <summary>Reads the published vectors copied next to the test assembly (never from outside the repository).</summary>
internal static class VectorFile
{
    internal static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);

    internal static JsonDocument ReadJson(string fileName) => JsonDocument.Parse(File.ReadAllBytes(PathOf(fileName)));

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex);

    internal static byte[] Hex(JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);
}
