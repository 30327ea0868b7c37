using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Imaging;

public sealed class RgbaImageTests
{
    [Fact]
    public void Rejects_a_buffer_smaller_than_the_image()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RgbaImage(4, 4, new byte[63]));
        Assert.Contains("4x4x4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_returns_the_buffer_once_and_blocks_further_use()
    {
        var returned = new List<byte[]>();
        var buffer = new byte[100];
        var image = new RgbaImage(3, 2, buffer, returned.Add);
        Assert.Equal(24, image.Pixels.Length);
        Assert.Equal(12, image.Stride);
        image.Dispose();
        image.Dispose();
        Assert.Same(buffer, Assert.Single(returned));
        Assert.Throws<ObjectDisposedException>(() => image.Pixels.Length);
    }
}
