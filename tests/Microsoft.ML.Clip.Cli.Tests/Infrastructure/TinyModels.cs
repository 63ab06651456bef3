using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

/// <summary>
/// Complete model folders built from the tiny fixture checkpoints (tests/fixtures/models/*-tiny), which hold only a
/// config and weights: the tests add a 32-pixel <c>preprocessor_config.json</c> (the real checkpoints' settings with
/// the fixture's image size) and a tokenizer whose ids fit the tiny vocabulary of 1000:
/// <list type="bullet">
/// <item>X-CLIP: the real CLIP BPE cut to its first 998 ids (256 bytes, 256 end-of-word bytes and the first 486 merges,
/// which create ids 512…997 in order) with <c>&lt;|startoftext|&gt;</c> = 998 and <c>&lt;|endoftext|&gt;</c> = 999,
/// the fixture's bos/eos (eos is the largest id, as text pooling needs).</item>
/// <item>AltCLIP: the XLM-R-style surrogate Unigram model cut to its first 999 pieces, <c>&lt;mask&gt;</c> = 999.</item>
/// </list>
/// The folders are built once per test run (under the temp folder) and only read afterwards.
/// </summary>
internal static class TinyModels
{
    private static readonly Lazy<string> XClipFolder = new(() => Build("xclip", BuildXClip));
    private static readonly Lazy<string> AltClipFolder = new(() => Build("altclip", BuildAltClip));

    /// <summary>xclip-tiny + tokenizer + preprocessor config.</summary>
    public static string XClip => XClipFolder.Value;

    /// <summary>altclip-tiny + tokenizer + preprocessor config.</summary>
    public static string AltClip => AltClipFolder.Value;

    /// <summary>Deletes the folders that were built (called once after all tests).</summary>
    public static void Cleanup() => TinyModelFolders.Delete(XClipFolder, AltClipFolder);

    private static string Build(string name, Action<string> fill)
    {
        string folder = TinyModelFolders.Create($"clip-cli-tests-{name}-tiny");
        fill(folder);
        return folder;
    }

    private static void BuildXClip(string folder)
    {
        TinyModelFolders.CopyCheckpoint("xclip-tiny", folder);
        TinyModelFolders.WriteXClipProcessor(folder);

        const int Bos = 998, Eos = 999, Merges = 998 - 512;
        var tokenizer = JsonNode.Parse(File.ReadAllText(TestFixtures.Path("tokenizers/clip/tokenizer.json")))!.AsObject();
        JsonObject model = tokenizer["model"]!.AsObject();
        var vocab = new JsonObject();
        foreach (var (piece, id) in model["vocab"]!.AsObject())
        {
            if ((int)id! < Bos)
            {
                vocab[piece] = (int)id!;
            }
        }

        vocab["<|startoftext|>"] = Bos;
        vocab["<|endoftext|>"] = Eos;
        model["vocab"] = vocab;
        model["merges"] = new JsonArray(model["merges"]!.AsArray().Take(Merges).Select(m => (JsonNode?)JsonValue.Create((string)m!)).ToArray());
        foreach (JsonNode? added in tokenizer["added_tokens"]!.AsArray())
        {
            added!["id"] = (string)added["content"]! == "<|startoftext|>" ? Bos : Eos;
        }

        tokenizer["post_processor"]!["sep"] = new JsonArray("<|endoftext|>", Eos);
        tokenizer["post_processor"]!["cls"] = new JsonArray("<|startoftext|>", Bos);
        Write(Path.Combine(folder, "tokenizer.json"), tokenizer);

        // The same vocabulary as vocab.json + merges.txt, for loaders that prefer those.
        Write(Path.Combine(folder, "vocab.json"), vocab.DeepClone());
        File.WriteAllLines(Path.Combine(folder, "merges.txt"),
            ["#version: 0.2", .. File.ReadLines(TestFixtures.Path("tokenizers/clip/merges.txt")).Skip(1).Take(Merges)]);
        File.Copy(TestFixtures.Path("tokenizers/clip/tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        File.Copy(TestFixtures.Path("tokenizers/clip/special_tokens_map.json"), Path.Combine(folder, "special_tokens_map.json"));
    }

    private static void BuildAltClip(string folder)
    {
        TinyModelFolders.CopyCheckpoint("altclip-tiny", folder);
        TinyModelFolders.WriteAltClipProcessor(folder);

        const int Mask = 999;
        var tokenizer = JsonNode.Parse(File.ReadAllText(TestFixtures.Path("tokenizers/xlm-roberta-surrogate/tokenizer.json")))!.AsObject();
        JsonObject model = tokenizer["model"]!.AsObject();
        var pieces = model["vocab"]!.AsArray().Take(Mask).Select(p => p!.DeepClone()).ToList();
        pieces.Add(new JsonArray("<mask>", 0.0));
        model["vocab"] = new JsonArray(pieces.ToArray());
        foreach (JsonNode? added in tokenizer["added_tokens"]!.AsArray())
        {
            if ((string)added!["content"]! == "<mask>")
            {
                added["id"] = Mask;
            }
        }

        Write(Path.Combine(folder, "tokenizer.json"), tokenizer);
        var config = JsonNode.Parse(File.ReadAllText(TestFixtures.Path("tokenizers/xlm-roberta-surrogate/tokenizer_config.json")))!.AsObject();
        config["model_max_length"] = 38; // max_position_embeddings 40 − padding_idx offset 2
        Write(Path.Combine(folder, "tokenizer_config.json"), config);
    }

    private static void Write(string path, JsonNode node) =>
        File.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
}
