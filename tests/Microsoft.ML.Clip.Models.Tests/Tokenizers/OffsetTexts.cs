namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>Texts that stress token offsets: case, accents (composed and decomposed), CJK, emoji, white space, unknown and normalised characters.</summary>
internal static class OffsetTexts
{
    public static readonly string[] Hard =
    {
        "A Photo Of A CAT",
        "Ünïcödé naïve CAFÉ",
        "Cafe\u0301 de\u0301ja\u0300 vu",
        "東京タワーの写真",
        "猫が好き 🐱😀",
        "family 👨‍👩‍👧 and flag 🇫🇷!",
        "two   spaces\tand\ttabs\n\nnewlines  ",
        "   leading and trailing   ",
        "ﬁne ﬂour ＡＢＣ ① ½ ㍿",
        "İstanbul ǅ STRASSE Straße ΣΑΣ",
        "unknown \u0378\uE000 chars 𝔘𝔫𝔦",
        "<|startoftext|>inner<|ENDOFTEXT|> <s>x</s> <mask> y",
        "don't STOP, we're 'happy'",
        "x\u200By\u00ADz\u0085w\u00A0v",
        "\uFF76\uFF9E \u1100\u1161\u11A8",
        "a\uD800b lone surrogate",
        "Привет мир, Ελληνικά, עברית, العربية, हिन्दी",
        "",
        " ",
        "emoji at end 🐈‍⬛",
    };
}
