using System.Text.Json.Nodes;

namespace Microsoft.ML.Clip.Testing;

/// <summary>
/// Pieces of model folders built in the temp folder from the tiny fixture checkpoints (tests/fixtures/models/*-tiny,
/// which hold only a config and weights): the checkpoint files and a 32-pixel <c>preprocessor_config.json</c> (the real
/// checkpoints' processor settings at the fixture's image size).
/// </summary>
internal static class TinyModelFolders
{
    /// <summary>A fresh, empty folder in the temp folder, unique to this test process.</summary>
    public static string Create(string name)
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{name}-{Environment.ProcessId}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Copies <c>config.json</c> and <c>model.safetensors</c> of a fixture checkpoint (e.g. <c>xclip-tiny</c>).</summary>
    public static void CopyCheckpoint(string fixture, string folder)
    {
        foreach (string file in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(TestFixtures.Path($"models/{fixture}/{file}"), System.IO.Path.Combine(folder, file));
        }
    }

    /// <summary>xclip-base-patch32's processor settings at 32 pixels.</summary>
    public static void WriteXClipProcessor(string folder) => WriteProcessor(folder, "xclip-base-patch32", size: 32);

    /// <summary>AltCLIP's processor settings at 32 pixels.</summary>
    public static void WriteAltClipProcessor(string folder) => WriteProcessor(folder, "altclip", size: new JsonObject { ["shortest_edge"] = 32 });

    /// <summary>Deletes the folders of those <paramref name="folders"/> that were built.</summary>
    public static void Delete(params Lazy<string>[] folders)
    {
        foreach (Lazy<string> folder in folders)
        {
            if (folder.IsValueCreated && Directory.Exists(folder.Value))
            {
                Directory.Delete(folder.Value, recursive: true);
            }
        }
    }

    private static void WriteProcessor(string folder, string config, JsonNode size)
    {
        var processor = JsonNode.Parse(File.ReadAllText(TestFixtures.Path($"processors/configs/{config}/preprocessor_config.json")))!.AsObject();
        processor["size"] = size;
        processor["crop_size"] = new JsonObject { ["height"] = 32, ["width"] = 32 };
        File.WriteAllText(System.IO.Path.Combine(folder, "preprocessor_config.json"), processor.ToJsonString());
    }
}
