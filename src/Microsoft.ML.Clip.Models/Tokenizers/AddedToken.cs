namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A token matched in the text before the model runs (an entry of tokenizer.json's <c>added_tokens</c>), with the
/// matching flags of the Rust <c>AddedToken</c>.
/// </summary>
/// <param name="Content">The literal text of the token.</param>
/// <param name="Id">Its id.</param>
/// <param name="Special">Whether <c>skip_special_tokens</c> drops it when decoding.</param>
/// <param name="Normalized">Whether it is matched in the normalised text (true) or in the raw text (false).</param>
/// <param name="LStrip">Whether the whitespace before it is absorbed into the match.</param>
/// <param name="RStrip">Whether the whitespace after it is absorbed into the match.</param>
/// <param name="SingleWord">Whether it only matches when not inside a word.</param>
internal sealed record AddedToken(
    string Content, int Id, bool Special, bool Normalized, bool LStrip = false, bool RStrip = false, bool SingleWord = false);

/// <summary>A run of text: either plain text (<see cref="TokenId"/> &lt; 0) or a matched added token.</summary>
/// <param name="Start">Offset of the run in the text (UTF-16 units).</param>
/// <param name="Length">Length of the run.</param>
/// <param name="TokenId">The id of the added token, or -1 for plain text.</param>
internal readonly record struct TextSegment(int Start, int Length, int TokenId)
{
    /// <summary>Whether the run is an added token.</summary>
    public bool IsToken => TokenId >= 0;
}
