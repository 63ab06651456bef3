using System.Text.Json.Nodes;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// The part of a <c>config.json</c> every <c>transformers</c> config shares (<c>PretrainedConfig</c> 4.37.2: generation
/// defaults, label maps, token ids, <c>torch_dtype</c>, …), kept as JSON with the same defaults, plus any key a model
/// config does not know (kept, as <c>transformers</c> keeps unknown keys as attributes). Model configs derive from it and
/// add their typed fields.
/// </summary>
public abstract record PretrainedConfig
{
    private static readonly (string Name, Func<JsonNode?> Default)[] CommonDefaults =
    [
        ("_name_or_path", () => JsonValue.Create(string.Empty)),
        ("add_cross_attention", () => JsonValue.Create(false)),
        ("architectures", () => null),
        ("bad_words_ids", () => null),
        ("begin_suppress_tokens", () => null),
        ("bos_token_id", () => null),
        ("chunk_size_feed_forward", () => JsonValue.Create(0)),
        ("cross_attention_hidden_size", () => null),
        ("decoder_start_token_id", () => null),
        ("diversity_penalty", () => ConfigJson.Float(0.0)),
        ("do_sample", () => JsonValue.Create(false)),
        ("early_stopping", () => JsonValue.Create(false)),
        ("encoder_no_repeat_ngram_size", () => JsonValue.Create(0)),
        ("eos_token_id", () => null),
        ("exponential_decay_length_penalty", () => null),
        ("finetuning_task", () => null),
        ("forced_bos_token_id", () => null),
        ("forced_eos_token_id", () => null),
        ("id2label", () => new JsonObject { ["0"] = "LABEL_0", ["1"] = "LABEL_1" }),
        ("is_decoder", () => JsonValue.Create(false)),
        ("is_encoder_decoder", () => JsonValue.Create(false)),
        ("label2id", () => new JsonObject { ["LABEL_0"] = 0, ["LABEL_1"] = 1 }),
        ("length_penalty", () => ConfigJson.Float(1.0)),
        ("max_length", () => JsonValue.Create(20)),
        ("min_length", () => JsonValue.Create(0)),
        ("no_repeat_ngram_size", () => JsonValue.Create(0)),
        ("num_beam_groups", () => JsonValue.Create(1)),
        ("num_beams", () => JsonValue.Create(1)),
        ("num_return_sequences", () => JsonValue.Create(1)),
        ("output_attentions", () => JsonValue.Create(false)),
        ("output_hidden_states", () => JsonValue.Create(false)),
        ("output_scores", () => JsonValue.Create(false)),
        ("pad_token_id", () => null),
        ("prefix", () => null),
        ("problem_type", () => null),
        ("pruned_heads", () => new JsonObject()),
        ("remove_invalid_values", () => JsonValue.Create(false)),
        ("repetition_penalty", () => ConfigJson.Float(1.0)),
        ("return_dict", () => JsonValue.Create(true)),
        ("return_dict_in_generate", () => JsonValue.Create(false)),
        ("sep_token_id", () => null),
        ("suppress_tokens", () => null),
        ("task_specific_params", () => null),
        ("temperature", () => ConfigJson.Float(1.0)),
        ("tf_legacy_loss", () => JsonValue.Create(false)),
        ("tie_encoder_decoder", () => JsonValue.Create(false)),
        ("tie_word_embeddings", () => JsonValue.Create(true)),
        ("tokenizer_class", () => null),
        ("top_k", () => JsonValue.Create(50)),
        ("top_p", () => ConfigJson.Float(1.0)),
        ("torch_dtype", () => null),
        ("torchscript", () => JsonValue.Create(false)),
        ("typical_p", () => ConfigJson.Float(1.0)),
        ("use_bfloat16", () => JsonValue.Create(false)),
    ];

    private readonly JsonObject _common;

    /// <summary>Reads the shared fields of <paramref name="json"/>; keys in <paramref name="modelKeys"/> are left to the derived config.</summary>
    /// <param name="json">The config object (null: every default).</param>
    /// <param name="modelKeys">The keys the derived config reads itself.</param>
    /// <param name="source">The file (or description) the JSON came from, for error messages.</param>
    /// <param name="overrides">Class-specific defaults of shared fields (e.g. a text config's <c>pad_token_id = 1</c>).</param>
    private protected PretrainedConfig(JsonObject? json, IReadOnlyCollection<string> modelKeys, string source, IReadOnlyDictionary<string, JsonNode?>? overrides = null)
    {
        Source = source;
        _common = new JsonObject();
        foreach (var (name, fallback) in CommonDefaults)
        {
            _common[name] = overrides is not null && overrides.TryGetValue(name, out JsonNode? value) ? value?.DeepClone() : fallback();
        }

        if (json is null)
        {
            return;
        }

        string? modelType = json["model_type"] is JsonNode typeNode ? ConfigJson.GetString(json, "model_type", string.Empty, source) : null;
        if (modelType is not null && modelType != ExpectedModelType)
        {
            throw new InvalidDataException(
                $"'{source}' has model_type '{modelType}', but a {GetType().Name} needs '{ExpectedModelType}'. Is this the config of another model?");
        }

        foreach (var (key, value) in json)
        {
            if (key == "model_type" || modelKeys.Contains(key))
            {
                continue;
            }

            _common[key] = value?.DeepClone();
        }
    }

    /// <summary>The <c>model_type</c> this config class stands for (e.g. <c>xclip</c>, <c>altclip_text_model</c>).</summary>
    public string ModelType => ExpectedModelType;

    /// <summary>Where this config was read from (a file path), or a description, for error messages.</summary>
    public string Source { get; }

    /// <summary>
    /// The fields shared by every <c>transformers</c> config (generation defaults, label maps, token ids, <c>torch_dtype</c>,
    /// <c>architectures</c>, …) with their defaults filled in, plus any unknown key found in the file. A copy.
    /// </summary>
    public JsonObject CommonFields => (JsonObject)_common.DeepClone();

    /// <summary><c>pad_token_id</c>, or null.</summary>
    public int? PadTokenId => IntOrNull("pad_token_id");

    /// <summary><c>bos_token_id</c>, or null.</summary>
    public int? BosTokenId => IntOrNull("bos_token_id");

    /// <summary><c>eos_token_id</c>, or null.</summary>
    public int? EosTokenId => IntOrNull("eos_token_id");

    /// <summary>True for a text or vision config nested in a model config.</summary>
    private protected virtual bool IsNested => false;

    /// <summary>The model type this class reads.</summary>
    private protected abstract string ExpectedModelType { get; }

    /// <summary>Returns the whole config as <c>transformers</c>' <c>to_dict()</c> would (every field, defaults filled, keys sorted).</summary>
    public JsonObject ToJsonObject()
    {
        JsonObject result = (JsonObject)_common.DeepClone();
        if (IsNested)
        {
            result.Remove("transformers_version"); // transformers writes the version once, at the top level
        }

        result["model_type"] = ExpectedModelType;
        WriteModelFields(result);
        return (JsonObject)ConfigJson.SortKeys(result)!;
    }

    /// <summary>Returns the whole config as indented JSON (what <c>to_json_file(use_diff=False)</c> writes).</summary>
    public string ToJson() => ToJsonObject().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Writes the config to <paramref name="path"/> (via a temporary file, then renamed).</summary>
    /// <param name="path">The destination, usually <c>config.json</c>.</param>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        IO.AtomicFile.WriteAllText(path, ToJson());
    }

    /// <summary>Adds this config's own typed fields to <paramref name="target"/>.</summary>
    /// <param name="target">The object being written.</param>
    private protected abstract void WriteModelFields(JsonObject target);

    /// <summary>Throws unless <paramref name="value"/> is positive.</summary>
    private protected void RequirePositive(int value, string field)
    {
        if (value <= 0)
        {
            throw new InvalidDataException($"'{Source}': '{field}' must be a positive integer, but it is {value}.");
        }
    }

    /// <summary>Throws unless <paramref name="width"/> splits evenly into <paramref name="heads"/> heads.</summary>
    private protected void RequireDivisible(int width, string widthField, int heads, string headsField)
    {
        RequirePositive(width, widthField);
        RequirePositive(heads, headsField);
        if (width % heads != 0)
        {
            throw new InvalidDataException(
                $"'{Source}': '{widthField}' ({width}) must be a multiple of '{headsField}' ({heads}) so that every attention head has the same width.");
        }
    }

    private int? IntOrNull(string name) => ConfigJson.TryGetNumber(_common[name], out double value) ? (int)value : null;
}
