using PersonaLive.Inference.Engines;

namespace PersonaLive.Inference.Tests.Configuration;

/// <summary>The TensorRT engine cache directory is created and proven writable at start, and only matters for TensorRT.</summary>
public sealed class EngineOptionsValidatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("trt-cache-test-").FullName;

    [Fact]
    public void TensorRtCreatesAMissingCacheDirectory()
    {
        var dir = Path.Combine(_root, "nested", "tensorrt");
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { ExecutionProvider = "tensorrt", TensorRtCacheDirectory = dir });
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(Directory.Exists(dir));
        Assert.Empty(Directory.GetFiles(dir)); // the probe file is gone
    }

    [Fact]
    public void TensorRtRejectsACacheDirectoryThatCannotBeCreated()
    {
        // A path below a regular file cannot become a directory, whoever runs the test (root included).
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { ExecutionProvider = "tensorrt", TensorRtCacheDirectory = Path.Combine(file, "tensorrt") });
        Assert.True(result.Failed);
        Assert.Contains("Engine:TensorRtCacheDirectory", result.FailureMessage);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    public void OtherProvidersIgnoreTheCacheDirectory(string provider)
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { ExecutionProvider = provider, TensorRtCacheDirectory = Path.Combine(file, "tensorrt") });
        Assert.True(result.Succeeded);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
