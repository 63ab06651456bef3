namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>Packs B (see <see cref="GemmPacking"/>): one panel of one batch entry per item.</summary>
internal sealed unsafe class GemmPackJob : ParallelJob
{
    private float* _b;
    private nint _ldb;
    private nint _batchStrideB;
    private bool _transposed;
    private int _k;
    private int _n;
    private float* _packed;
    private long _packedLength;

    /// <summary>Describes the operand to pack and where.</summary>
    public void Set(float* b, nint ldb, nint batchStrideB, bool transposed, int k, int n, float* packed, long packedLength)
    {
        _b = b;
        _ldb = ldb;
        _batchStrideB = batchStrideB;
        _transposed = transposed;
        _k = k;
        _n = n;
        _packed = packed;
        _packedLength = packedLength;
    }

    /// <inheritdoc />
    public override void Execute(int index)
    {
        int panels = GemmPacking.Panels(_n);
        int batch = index / panels;
        int panel = index % panels;
        float* b = _b + (batch * _batchStrideB);
        float* packed = _packed + (batch * _packedLength);
        if (_transposed)
        {
            GemmPacking.PackPanelTransposed(b, _ldb, _k, _n, panel, packed);
        }
        else
        {
            GemmPacking.PackPanel(b, _ldb, _k, _n, panel, packed);
        }
    }
}
