using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Docs;

/// <summary>
/// Every ```csharp block of README.md (and docs/*.md) compiles against the built library as a new console program
/// would (top-level statements, implicit usings).
/// </summary>
[TestClass]
public sealed class ReadmeCodeBlockTests
{
    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", ".."));

    [TestMethod]
    public void ReadmeCSharpBlocksCompile() => AssertBlocksCompile(Path.Combine(RepositoryRoot, "README.md"));

    [TestMethod]
    public void DocsCSharpBlocksCompile()
    {
        foreach (string file in Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md"))
        {
            AssertBlocksCompile(file);
        }
    }

    [TestMethod]
    public void TopLevelProgramsWithDeclarationsCompile()
    {
        string program = "using Microsoft.ML.Clip.Checkpoints;\nusing var store = SafeTensorsFile.Open(args[0]);\nConsole.WriteLine(Describe(store));\n"
            + "static string Describe(ITensorStore s) => $\"{s.Names.Count} tensors\";\nrecord Row(string Name);\n";
        Assert.AreEqual(0, ProgramCompiler.CompileErrors(program).Count, string.Join("\n", ProgramCompiler.CompileErrors(program)));
    }

    [TestMethod]
    public void ExtractsFencedCSharpBlocksOnly()
    {
        string markdown = "# t\n```bash\nls\n```\n\n```csharp\nvar x = 1;\n```\ntext\n~~~cs title\nint y = 2;\n~~~\n";
        var blocks = Markdown.CSharpBlocks(markdown);
        Assert.AreEqual(2, blocks.Count);
        Assert.AreEqual("var x = 1;", blocks[0].Code);
        Assert.AreEqual(6, blocks[0].Line);
        Assert.AreEqual("int y = 2;", blocks[1].Code);
    }

    [TestMethod]
    public void ABrokenBlockIsReported()
    {
        var errors = ProgramCompiler.CompileErrors("using var store = Microsoft.ML.Clip.Checkpoints.SafeTensorsFile.Open(\"x\");\nint z = store.NoSuchMember;");
        Assert.AreEqual(1, errors.Count, string.Join("\n", errors));
        StringAssert.Contains(errors[0].GetMessage(), "NoSuchMember");
    }

    private static void AssertBlocksCompile(string file)
    {
        Assert.IsTrue(File.Exists(file), $"{file} exists");
        foreach (CodeBlock block in Markdown.CSharpBlocks(File.ReadAllText(file)))
        {
            var errors = ProgramCompiler.CompileErrors(block.Code);
            Assert.AreEqual(0, errors.Count,
                $"{Path.GetFileName(file)}: the csharp block at line {block.Line} does not compile:\n{string.Join("\n", errors)}\n---\n{block.Code}");
        }
    }
}
