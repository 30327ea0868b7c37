using PersonaLive.Inference.Diffusion.Tiny;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>A freshly written tiny model set in a temporary folder, deleted on dispose.</summary>
internal sealed class TinySet : IDisposable
{
    /// <param name="fp16Networks">Networks written with fp16 inputs/outputs (default: none, all fp32).</param>
    public TinySet(IReadOnlySet<string>? fp16Networks = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("personalive-tiny-").FullName;
        ManifestPath = TinyModelSet.Write(Directory, fp16Networks);
    }

    public string Directory { get; }
    public string ManifestPath { get; }

    public string Read() => File.ReadAllText(ManifestPath);
    public void Write(string json) => File.WriteAllText(ManifestPath, json);

    /// <summary>Edits the manifest as a JSON tree.</summary>
    public void Edit(Action<System.Text.Json.Nodes.JsonNode> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Read())!;
        edit(node);
        Write(node.ToJsonString());
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
