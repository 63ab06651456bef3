using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Maps <c>transformers</c>' <c>hidden_act</c> strings to our activations.</summary>
internal static class ActivationNames
{
    public static Activation Parse(string name, string field, string source) => name switch
    {
        "quick_gelu" => Activation.QuickGelu,
        "gelu" => Activation.Gelu,
        "tanh" => Activation.Tanh,
        _ => throw new NotSupportedException(
            $"'{source}': {field} = \"{name}\" is not supported; supported activations are \"quick_gelu\", \"gelu\" (exact erf) and \"tanh\"."),
    };
}
