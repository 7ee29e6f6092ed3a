namespace Privomega.Pir.Engine.Tests;

public class WireErrorTests
{
    [Fact]
    public void Decode_error_names_field_and_values()
    {
        var e = new PirDecodeError(PirDecodeStatus.Truncated, "answer", 3, 64);
        Assert.Equal("answer: truncated, 3 bytes where 64 are needed", e.ToString());
        Assert.Equal(e, new PirFormatException(e).Error);
    }
}
