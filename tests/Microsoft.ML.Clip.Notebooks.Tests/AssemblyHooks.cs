namespace Microsoft.ML.Clip.Notebooks.Tests;

[TestClass]
public static class AssemblyHooks
{
    [AssemblyCleanup]
    public static void DeleteTemporaryFolders()
    {
        LocalFeed.Cleanup();
    }
}
