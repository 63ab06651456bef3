namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

[TestClass]
public static class AssemblyHooks
{
    [AssemblyCleanup]
    public static void DeleteTinyModelFolders() => TinyModels.Cleanup();
}
