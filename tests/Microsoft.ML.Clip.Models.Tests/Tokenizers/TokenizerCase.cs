using System.Text.Json;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>One line of a tokenizer fixture's expected.jsonl (see tests/fixtures/tokenizers/README.md).</summary>
internal sealed record TokenizerCase(
    string Name, string Text, int[] Ids, int[] IdsMax77, int[] MaskMax77, string Decoded, string DecodedSkipSpecial, string[] Tokens)
{
    public static IReadOnlyList<TokenizerCase> Load(string folder)
    {
        var cases = new List<TokenizerCase>();
        foreach (string line in File.ReadLines(TestFixtures.Path($"tokenizers/{folder}/expected.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            int[] Ints(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            cases.Add(new TokenizerCase(
                root.GetProperty("name").GetString()!,
                root.GetProperty("text").GetString()!,
                Ints("ids"),
                Ints("ids_max77"),
                Ints("mask_max77"),
                root.GetProperty("decoded").GetString()!,
                root.GetProperty("decoded_skip_special").GetString()!,
                root.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!).ToArray()));
        }

        return cases;
    }

    /// <summary>Checks every field of every case and fails once, listing every mismatch.</summary>
    public static void AssertAll(ITextTokenizer tokenizer, IReadOnlyList<TokenizerCase> cases)
    {
        Assert.IsTrue(cases.Count >= 50, $"expected the full corpus, found {cases.Count} cases");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            int[] ids = tokenizer.Encode(c.Text);
            if (!ids.SequenceEqual(c.Ids))
            {
                failures.Add($"{c.Name}: ids\n  expected [{string.Join(", ", c.Ids)}]\n  actual   [{string.Join(", ", ids)}]");
            }

            var batch = tokenizer.EncodeBatch(new[] { c.Text }, maxLength: 77, padding: Padding.MaxLength, truncation: true);
            if (!batch.InputIds[0].Select(v => (int)v).SequenceEqual(c.IdsMax77))
            {
                failures.Add($"{c.Name}: ids_max77\n  expected [{string.Join(", ", c.IdsMax77)}]\n  actual   [{string.Join(", ", batch.InputIds[0])}]");
            }

            if (!batch.AttentionMask[0].Select(v => (int)v).SequenceEqual(c.MaskMax77))
            {
                failures.Add($"{c.Name}: mask_max77 differs");
            }

            string decoded = tokenizer.Decode(c.Ids);
            if (decoded != c.Decoded)
            {
                failures.Add($"{c.Name}: decoded\n  expected {JsonSerializer.Serialize(c.Decoded)}\n  actual   {JsonSerializer.Serialize(decoded)}");
            }

            string skipped = tokenizer.Decode(c.Ids, skipSpecialTokens: true);
            if (skipped != c.DecodedSkipSpecial)
            {
                failures.Add($"{c.Name}: decoded_skip_special\n  expected {JsonSerializer.Serialize(c.DecodedSkipSpecial)}\n  actual   {JsonSerializer.Serialize(skipped)}");
            }
        }

        Assert.AreEqual(0, failures.Count, $"{failures.Count} mismatches:\n" + string.Join("\n", failures));
    }
}
