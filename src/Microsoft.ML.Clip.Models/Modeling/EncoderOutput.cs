using System.Globalization;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// The output of one tower (<c>BaseModelOutputWithPooling</c> in <c>transformers</c>): the last hidden states, the pooled
/// output, and — when asked — every hidden state and attention map.
/// </summary>
public sealed class EncoderOutput
{
    /// <summary>Creates the output.</summary>
    /// <param name="lastHiddenState">The final hidden states, <c>[batch, length, width]</c>.</param>
    /// <param name="poolerOutput">The pooled output, <c>[batch, width]</c>.</param>
    /// <param name="hiddenStates">The embeddings output and each layer's output, or empty.</param>
    /// <param name="attentions">Each layer's attention weights <c>[batch, heads, length, length]</c>, or empty.</param>
    public EncoderOutput(Tensor lastHiddenState, Tensor poolerOutput, IReadOnlyList<Tensor>? hiddenStates = null, IReadOnlyList<Tensor>? attentions = null)
    {
        LastHiddenState = lastHiddenState ?? throw new ArgumentNullException(nameof(lastHiddenState));
        PoolerOutput = poolerOutput ?? throw new ArgumentNullException(nameof(poolerOutput));
        HiddenStates = hiddenStates ?? [];
        Attentions = attentions ?? [];
    }

    /// <summary><c>last_hidden_state</c>: the final hidden states, <c>[batch, length, width]</c>.</summary>
    public Tensor LastHiddenState { get; }

    /// <summary><c>pooler_output</c>: the pooled output, <c>[batch, width]</c>.</summary>
    public Tensor PoolerOutput { get; }

    /// <summary><c>hidden_states</c>: the embeddings (input of the first layer) and each layer's output; empty unless asked for.</summary>
    public IReadOnlyList<Tensor> HiddenStates { get; }

    /// <summary><c>attentions</c>: each layer's attention weights <c>[batch, heads, queries, keys]</c>; empty unless asked for.</summary>
    public IReadOnlyList<Tensor> Attentions { get; }

    /// <summary>
    /// Adds this output's tensors to <paramref name="target"/> under <c>transformers</c>' field names, prefixed:
    /// <c>{prefix}last_hidden_state</c>, <c>{prefix}pooler_output</c>, <c>{prefix}hidden_states.{i}</c>, <c>{prefix}attentions.{i}</c>.
    /// </summary>
    /// <param name="target">The map to fill.</param>
    /// <param name="prefix">E.g. <c>text_model_output.</c>.</param>
    public void AddNamedTensors(IDictionary<string, Tensor> target, string prefix)
    {
        ArgumentNullException.ThrowIfNull(target);
        target[prefix + "last_hidden_state"] = LastHiddenState;
        target[prefix + "pooler_output"] = PoolerOutput;
        for (int i = 0; i < HiddenStates.Count; i++)
        {
            target[prefix + "hidden_states." + i.ToString(CultureInfo.InvariantCulture)] = HiddenStates[i];
        }

        for (int i = 0; i < Attentions.Count; i++)
        {
            target[prefix + "attentions." + i.ToString(CultureInfo.InvariantCulture)] = Attentions[i];
        }
    }

    /// <summary>This output's tensors under <c>transformers</c>' field names (<c>last_hidden_state</c>, <c>pooler_output</c>, <c>hidden_states.0</c>, …).</summary>
    public IReadOnlyDictionary<string, Tensor> ToNamedTensors()
    {
        var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        AddNamedTensors(map, string.Empty);
        return map;
    }
}
