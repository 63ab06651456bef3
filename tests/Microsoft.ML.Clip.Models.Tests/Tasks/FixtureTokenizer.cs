using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tasks;

/// <summary>
/// A tokenizer for the tiny fixture models (whose vocabularies are not real): text "t{i}" is row i of the
/// fixture's input_ids/attention_mask, as the Python reference fed them to the model.
/// </summary>
internal sealed class FixtureTokenizer : ITextTokenizer
{
    private readonly long[][] _ids;
    private readonly long[][] _mask;

    public FixtureTokenizer(SafeTensorsFile inputs)
    {
        var (ids, shape) = inputs.LoadInt64("input_ids");
        var (mask, _) = inputs.LoadInt64("attention_mask");
        _ids = Enumerable.Range(0, shape[0]).Select(r => ids.AsSpan(r * shape[1], shape[1]).ToArray()).ToArray();
        _mask = Enumerable.Range(0, shape[0]).Select(r => mask.AsSpan(r * shape[1], shape[1]).ToArray()).ToArray();
    }

    public int Rows => _ids.Length;

    public int ModelMaxLength => 77;

    public int PadTokenId => 1;

    public int VocabularySize => 1000;

    public int[] Encode(string text) => _ids[Row(text)].Select(i => (int)i).ToArray();

    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null, Padding padding = Padding.None, bool truncation = false) =>
        new(texts.Select(t => _ids[Row(t)]).ToArray(), texts.Select(t => _mask[Row(t)]).ToArray());

    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens = false) => string.Join(" ", ids);

    private static int Row(string text) => int.Parse(text.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
}
