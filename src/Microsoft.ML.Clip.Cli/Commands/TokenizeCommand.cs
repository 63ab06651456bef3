using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip tokenize</c>: reads texts from standard input (one per line, or one JSON object <c>{"text": …}</c> per line
/// with <c>--jsonl</c>) and writes one JSON object <c>{"ids":[...],"attention_mask":[...]}</c> per input, in order.
/// </summary>
internal static class TokenizeCommand
{
    private const int ChunkSize = 1024;

    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        Option<string?> model = CommonOptions.Model(
            "A Hub id or a folder with the tokenizer files (tokenizer.json, vocab.json + merges.txt, or sentencepiece.bpe.model; "
            + "config.json is not needed). Default: " + ModelDefaults.Video + " (CLIP BPE).");
        var jsonl = new Option<bool>("--jsonl")
        {
            Description = "Read one JSON object {\"text\": ...} per line (texts may then contain line breaks) instead of one text per line.",
        };
        var maxLength = new Option<int?>("--max-length")
        {
            Description = "Truncate every text to N tokens (start/end tokens kept), and pad to N with --padding max_length.",
            HelpName = "N",
        };
        var padding = new Option<string>("--padding")
        {
            Description = "max_length: pad to --max-length (or the model maximum); longest: pad to the longest input (reads all input first); none: no padding.",
            DefaultValueFactory = _ => "none",
            HelpName = "max_length|longest|none",
        };
        padding.AcceptOnlyFromAmong("max_length", "longest", "none");

        var command = new Command("tokenize", "Tokenize texts from standard input into JSON lines of ids and attention masks, as transformers' fast tokenizers do.")
        {
            model, jsonl, maxLength, padding,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            int? limit = parse.GetValue(maxLength);
            if (limit is < 2)
            {
                throw new UsageException($"--max-length must be at least 2 (room for the start and end tokens), not {limit}.");
            }

            Padding pad = parse.GetValue(padding) switch
            {
                "max_length" => Padding.MaxLength,
                "longest" => Padding.Longest,
                _ => Padding.None,
            };
            var (_, folder) = ModelLocator.Resolve(context, parse.GetValue(model), ModelDefaults.Video, ModelLocator.TokenizerFiles, cancellationToken);
            TextTokenizer tokenizer = TokenizerLoader.Load(folder);
            bool fromJson = parse.GetValue(jsonl);
            IEnumerable<string> texts = ReadTexts(context.In, fromJson);
            if (pad == Padding.Longest)
            {
                // The longest input decides the padding: read everything first.
                texts = texts.ToList();
            }

            var line = new StringBuilder();
            foreach (string[] chunk in (pad == Padding.Longest ? [texts.ToArray()] : texts.Chunk(ChunkSize)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                TokenizedBatch batch = tokenizer.EncodeBatch(chunk, limit, pad, truncation: limit is not null);
                for (int i = 0; i < batch.Count; i++)
                {
                    line.Clear();
                    line.Append("{\"ids\":");
                    AppendArray(line, batch.InputIds[i]);
                    line.Append(",\"attention_mask\":");
                    AppendArray(line, batch.AttentionMask[i]);
                    line.Append('}');
                    context.Out.WriteLine(line);
                }
            }

            context.Out.Flush();
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static IEnumerable<string> ReadTexts(TextReader input, bool jsonLines)
    {
        int number = 0;
        while (input.ReadLine() is string line)
        {
            number++;
            if (!jsonLines)
            {
                yield return line;
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string? text;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                text = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("text", out JsonElement value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"standard input line {number} is not JSON ({e.Message}); with --jsonl every line is an object {{\"text\": \"...\"}}.");
            }

            yield return text ?? throw new InvalidDataException($"standard input line {number} has no string field \"text\"; with --jsonl every line is an object {{\"text\": \"...\"}}.");
        }
    }

    private static void AppendArray(StringBuilder builder, long[] values)
    {
        builder.Append('[');
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(values[i]);
        }

        builder.Append(']');
    }
}
