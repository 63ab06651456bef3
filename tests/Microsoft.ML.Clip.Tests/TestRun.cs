using Microsoft.ML.Clip.Tests.Fakes;

namespace Microsoft.ML.Clip.Tests;

/// <summary>Removes what the test run built in the temp folder.</summary>
[TestClass]
public static class TestRun
{
    [AssemblyCleanup]
    public static void Cleanup() => ProcessorModelFolders.Cleanup();
}
