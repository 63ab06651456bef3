namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>The element type of a tensor stored in a checkpoint file.</summary>
public enum TensorDataType
{
    /// <summary>32-bit IEEE float (<c>F32</c>, <c>torch.float32</c>).</summary>
    Float32,

    /// <summary>16-bit IEEE float (<c>F16</c>, <c>torch.float16</c>).</summary>
    Float16,

    /// <summary>bfloat16 (<c>BF16</c>, <c>torch.bfloat16</c>).</summary>
    BFloat16,

    /// <summary>64-bit signed integer (<c>I64</c>, <c>torch.int64</c>).</summary>
    Int64,

    /// <summary>32-bit signed integer (<c>I32</c>, <c>torch.int32</c>).</summary>
    Int32,
}
