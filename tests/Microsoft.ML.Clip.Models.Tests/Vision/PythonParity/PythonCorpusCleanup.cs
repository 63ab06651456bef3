namespace Microsoft.ML.Clip.Tests.Vision.PythonParity;

/// <summary>
/// Deletes the pixel corpus once every test class is done: several classes share it (the decoding parity tests, the
/// in-process MP4 probe's parity tests) and run in parallel, so no single class may delete it when it finishes.
/// </summary>
[TestClass]
public static class PythonCorpusCleanup
{
    [AssemblyCleanup]
    public static void DeleteCorpus() => PythonCorpus.DeleteIfCreated();
}
