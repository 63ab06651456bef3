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

    /// <summary>64-bit IEEE float (<c>F64</c>, <c>torch.float64</c>); narrowed to float32 on load.</summary>
    Float64,

    /// <summary>16-bit signed integer (<c>I16</c>, <c>torch.int16</c>).</summary>
    Int16,

    /// <summary>8-bit signed integer (<c>I8</c>, <c>torch.int8</c>).</summary>
    Int8,

    /// <summary>8-bit unsigned integer (<c>U8</c>, <c>torch.uint8</c>).</summary>
    UInt8,

    /// <summary>Boolean stored as one byte (<c>BOOL</c>, <c>torch.bool</c>); read as 0/1 integers.</summary>
    Bool,
}
