using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>A temporary checkpoint folder assembled from fixture files (config, preprocessor config, tokenizer files).</summary>
internal sealed class ProcessorFolder : IDisposable
{
    public ProcessorFolder(string configJson, string preprocessorFolder, string tokenizerFolder, params string[] tokenizerFiles)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clip-processor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), configJson);
        File.Copy(TestFixtures.Path(preprocessorFolder + "/preprocessor_config.json"), System.IO.Path.Combine(Path, "preprocessor_config.json"));
        foreach (string file in tokenizerFiles)
        {
            File.Copy(TestFixtures.Path(tokenizerFolder + "/" + file), System.IO.Path.Combine(Path, file));
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
