using System.Text.Json;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>
/// Checks of a tokenizer used only through <see cref="Tokenizer"/> (Microsoft.ML.Tokenizers): fixture ids, token
/// strings, counts, decoding, offsets and the maximum-token-count methods. Each collects every mismatch and fails once.
/// </summary>
internal static class TokenizerAbstractionChecks
{
    /// <summary>
    /// Every fixture line: EncodeToIds, EncodeToTokens (ids and token strings), CountTokens, Decode, and
    /// EncodeToIds(text, 77) against the fixture's truncated ids (Hugging Face truncation, padding removed).
    /// </summary>
    public static void AssertFixtureLines(Tokenizer tokenizer, IReadOnlyList<TokenizerCase> cases, int padId)
    {
        Assert.IsTrue(cases.Count >= 50, $"expected the full corpus, found {cases.Count} cases");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            void Check(bool ok, string what, object expected, object actual)
            {
                if (!ok)
                {
                    failures.Add($"{c.Name}: {what}\n  expected {JsonSerializer.Serialize(expected)}\n  actual   {JsonSerializer.Serialize(actual)}");
                }
            }

            IReadOnlyList<int> ids = tokenizer.EncodeToIds(c.Text);
            Check(ids.SequenceEqual(c.Ids), "EncodeToIds", c.Ids, ids);
            IReadOnlyList<EncodedToken> tokens = tokenizer.EncodeToTokens(c.Text, out string? normalized);
            Check(tokens.Select(t => t.Id).SequenceEqual(c.Ids), "EncodeToTokens ids", c.Ids, tokens.Select(t => t.Id));
            Check(tokens.Select(t => t.Value).SequenceEqual(c.Tokens), "EncodeToTokens values", c.Tokens, tokens.Select(t => t.Value));
            Check(normalized is null, "normalizedText (offsets index the original text)", "null", normalized ?? "null");
            Check(tokenizer.CountTokens(c.Text) == c.Ids.Length, "CountTokens", c.Ids.Length, tokenizer.CountTokens(c.Text));
            Check(tokenizer.Decode(c.Ids) == c.Decoded, "Decode", c.Decoded, tokenizer.Decode(c.Ids));
            Check(tokenizer.Decode(tokenizer.EncodeToIds(c.Text)) == c.Decoded, "Decode(EncodeToIds)", c.Decoded, tokenizer.Decode(tokenizer.EncodeToIds(c.Text)));
            string skipped = ((PretrainedTokenizer)tokenizer).Decode(c.Ids, skipSpecialTokens: true);
            Check(skipped == c.DecodedSkipSpecial, "Decode(skipSpecialTokens)", c.DecodedSkipSpecial, skipped);

            int[] truncated = c.IdsMax77.Take(c.MaskMax77.Count(m => m == 1)).ToArray();
            IReadOnlyList<int> limited = tokenizer.EncodeToIds(c.Text, 77, out string? limitedNormalized, out int consumed);
            Check(limited.SequenceEqual(truncated), "EncodeToIds(text, 77) = ids_max77 without padding", truncated, limited);
            Check(limitedNormalized is null, "EncodeToIds(text, 77) normalizedText", "null", limitedNormalized ?? "null");
            int index = tokenizer.GetIndexByTokenCount(c.Text, 77, out _, out int tokenCount);
            Check(index == consumed && tokenCount == limited.Count, "GetIndexByTokenCount(text, 77) = (charsConsumed, count)",
                new[] { consumed, limited.Count }, new[] { index, tokenCount });
            Check(!c.IdsMax77.Skip(truncated.Length).Any(id => id != padId), "ids_max77 padding", padId, c.IdsMax77);
        }

        Assert.AreEqual(0, failures.Count, $"{failures.Count} mismatches:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// Offsets of every token of every text: within the text, in order and never overlapping; special start tokens at
    /// 0..0 and end tokens at the end; and the tokens cover exactly what they were made from. Walking the pieces in
    /// order, each one's contribution (<paramref name="produced"/>: its bytes of normalised text) is appended to a
    /// pending buffer; at every piece with a non-empty range, what the original characters from the start of its group
    /// to the end of its range become (<paramref name="expected"/>) must be the start of that buffer and is consumed.
    /// Empty-range pieces (parts of a character the next piece completes, a prepended ▁) join the next group; a piece
    /// may leave the first bytes of the next character pending (byte-level BPE). Nothing may be left at the end.
    /// </summary>
    public static void AssertOffsets(PretrainedTokenizer tokenizer, IEnumerable<string> texts,
        Func<EncodedToken, byte[]> produced, Func<string, byte[]> expected)
    {
        var failures = new List<string>();
        int prefix = tokenizer.TextTokenizer.PrefixIds.Count;
        int suffix = tokenizer.TextTokenizer.SuffixIds.Count;
        foreach (string text in texts)
        {
            var tokens = tokenizer.EncodeToTokens(text, out _);
            string Show() => $"{JsonSerializer.Serialize(text)}: " + string.Join(" ", tokens.Select(t => $"{JsonSerializer.Serialize(t.Value)}@{t.Offset.Start.Value}..{t.Offset.End.Value}"));
            for (int i = 0; i < prefix; i++)
            {
                if (!tokens[i].Offset.Equals(new Range(0, 0)))
                {
                    failures.Add($"start token not at 0..0 in {Show()}");
                }
            }

            for (int i = tokens.Count - suffix; i < tokens.Count; i++)
            {
                if (!tokens[i].Offset.Equals(new Range(text.Length, text.Length)))
                {
                    failures.Add($"end token not at {text.Length}..{text.Length} in {Show()}");
                }
            }

            var pieces = tokens.Skip(prefix).Take(tokens.Count - prefix - suffix).ToList();
            int previousEnd = 0;
            int? groupStart = null;
            var pending = new List<byte>();
            for (int i = 0; i < pieces.Count; i++)
            {
                Range r = pieces[i].Offset;
                if (r.Start.Value < previousEnd || r.End.Value < r.Start.Value || r.End.Value > text.Length)
                {
                    failures.Add($"piece {i} out of order, overlapping or outside the text in {Show()}");
                    break;
                }

                previousEnd = r.End.Value;
                pending.AddRange(produced(pieces[i]));
                groupStart ??= r.Start.Value;
                if (r.End.Value == r.Start.Value)
                {
                    continue;
                }

                string original = text[groupStart.Value..r.End.Value];
                byte[] want = expected(original);
                if (pending.Count < want.Length || !pending.Take(want.Length).SequenceEqual(want))
                {
                    failures.Add($"piece {i} ({JsonSerializer.Serialize(pieces[i].Value)}): {JsonSerializer.Serialize(original)} at {groupStart}..{r.End.Value} does not become what the pieces produced, in {Show()}");
                    break;
                }

                pending.RemoveRange(0, want.Length);
                groupStart = null;
            }

            if (pending.Count > 0 && failures.Count == 0)
            {
                failures.Add($"{pending.Count} bytes produced by the pieces are covered by no range, in {Show()}");
            }
        }

        Assert.AreEqual(0, failures.Count, $"{failures.Count} offset problems:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>
    /// For every text and every maximum count from 1 to the full count: EncodeToIds, EncodeToTokens, GetIndexByTokenCount
    /// and GetIndexByTokenCountFromEnd agree with each other and with truncating the full encoding (special tokens kept,
    /// pieces cut between them, never inside a character, and equal to <see cref="TextTokenizer.EncodeBatch"/>'s
    /// truncation whenever that cut is between characters).
    /// </summary>
    public static void AssertMaxTokenCounts(PretrainedTokenizer tokenizer, IEnumerable<string> texts)
    {
        var failures = new List<string>();
        int prefix = tokenizer.TextTokenizer.PrefixIds.Count;
        int suffix = tokenizer.TextTokenizer.SuffixIds.Count;
        int specials = prefix + suffix;
        foreach (string text in texts)
        {
            var full = tokenizer.EncodeToTokens(text, out _).ToList();
            int pieceCount = full.Count - specials;
            var pieces = full.GetRange(prefix, pieceCount);
            bool Clean(int cut) => TokenBudget.IsCleanCut(pieces, cut); // a cut after `cut` pieces
            for (int max = 1; max <= full.Count + 1; max++)
            {
                string where = $"{JsonSerializer.Serialize(text)} max {max}";
                var ids = tokenizer.EncodeToIds(text, max, out _, out int consumed);
                int index = tokenizer.GetIndexByTokenCount(text, max, out _, out int count);
                int fromEnd = tokenizer.GetIndexByTokenCountFromEnd(text, max, out _, out int countFromEnd);
                if (max >= full.Count)
                {
                    if (!ids.SequenceEqual(full.Select(t => t.Id)) || consumed != text.Length || index != text.Length || count != full.Count
                        || fromEnd != 0 || countFromEnd != full.Count)
                    {
                        failures.Add($"{where}: everything fits, yet ids {ids.Count}/{full.Count}, consumed {consumed}, index {index}, count {count}, fromEnd {fromEnd}/{countFromEnd}");
                    }

                    continue;
                }

                if (max < specials)
                {
                    if (!ids.SequenceEqual(full.Take(max).Select(t => t.Id)) || consumed != 0)
                    {
                        failures.Add($"{where}: fewer than the special tokens should give the first special ids and 0 chars");
                    }

                    continue;
                }

                int kept = ids.Count - specials;
                bool clean = Clean(max - specials);
                bool shape = kept >= 0 && kept <= max - specials && (kept == max - specials || !clean)
                    && ids.Take(prefix + kept).SequenceEqual(full.Take(prefix + kept).Select(t => t.Id))
                    && ids.Skip(prefix + kept).SequenceEqual(full.Skip(full.Count - suffix).Select(t => t.Id))
                    && Clean(kept);
                int expectedConsumed = kept == 0 ? 0 : full[prefix + kept - 1].Offset.End.Value;
                if (!shape || consumed != expectedConsumed || index != consumed || count != ids.Count)
                {
                    failures.Add($"{where}: ids [{string.Join(",", ids)}] of [{string.Join(",", full.Select(t => t.Id))}], consumed {consumed} (expected {expectedConsumed}), index {index}, count {count}");
                }

                var batch = tokenizer.TextTokenizer.EncodeBatch(new[] { text }, maxLength: max, truncation: true);
                if (clean && !batch.InputIds[0].Select(v => (int)v).SequenceEqual(ids))
                {
                    failures.Add($"{where}: EncodeBatch truncation [{string.Join(",", batch.InputIds[0])}] differs from EncodeToIds [{string.Join(",", ids)}]");
                }

                int keptFromEnd = countFromEnd - specials;
                int expectedFromEnd = keptFromEnd == 0 ? text.Length : full[prefix + pieceCount - keptFromEnd].Offset.Start.Value;
                if (keptFromEnd < 0 || keptFromEnd > max - specials || fromEnd != expectedFromEnd
                    || !Clean(pieceCount - keptFromEnd)
                    || (keptFromEnd < max - specials && Clean(pieceCount - (max - specials))))
                {
                    failures.Add($"{where}: from the end kept {keptFromEnd} pieces at {fromEnd} (expected {expectedFromEnd})");
                }
            }
        }

        Assert.AreEqual(0, failures.Count, $"{failures.Count} problems:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>300 random texts of up to 24 pieces drawn from <paramref name="alphabet"/> (seeded: the same every run).</summary>
    public static List<string> RandomTexts(string[] alphabet)
    {
        var random = new Random(14);
        var texts = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            var builder = new System.Text.StringBuilder();
            int length = random.Next(0, 25);
            for (int k = 0; k < length; k++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            texts.Add(builder.ToString());
        }

        return texts;
    }

    /// <summary>EncodeToTokens (the offset-tracking path) gives exactly the ids of the tokenizer's own Encode.</summary>
    public static void AssertSameIdsAsTheEngine(PretrainedTokenizer tokenizer, IEnumerable<string> texts)
    {
        foreach (string text in texts)
        {
            CollectionAssert.AreEqual(tokenizer.TextTokenizer.Encode(text), tokenizer.EncodeToTokens(text, out _).Select(t => t.Id).ToArray(),
                JsonSerializer.Serialize(text));
        }
    }
}
