using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>-fps_mode (ffmpeg 5.1+) or -vsync (older), chosen from the first line of <c>ffmpeg -version</c>.</summary>
[TestClass]
public sealed class FfmpegCapabilitiesTests
{
    [TestMethod]
    [DataRow("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers", true)]
    [DataRow("ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023 the FFmpeg developers", true)]
    [DataRow("ffmpeg version n7.0 Copyright (c) 2000-2024 the FFmpeg developers", true)]
    [DataRow("ffmpeg version N-112345-g0123456789 Copyright (c) 2000-2024 the FFmpeg developers", true)]
    [DataRow("ffmpeg version 2024-03-04-git-e30369bc1c-essentials_build-www.gyan.dev", true)]
    [DataRow("ffmpeg version 5.0.1 Copyright (c) 2000-2022 the FFmpeg developers", false)]
    [DataRow("ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers", false)]
    public void FpsModeFromVersion5Point1On(string versionLine, bool expected) =>
        Assert.AreEqual(expected, FfmpegCapabilities.SupportsFpsMode(versionLine), versionLine);

    [TestMethod]
    public void TheInstalledFfmpegGetsPassthroughArguments()
    {
        string[] arguments = FfmpegCapabilities.PassthroughArgumentsAsync(FfmpegTools.Default.FfmpegPath, CancellationToken.None).GetAwaiter().GetResult();

        Assert.AreEqual(2, arguments.Length);
        Assert.AreEqual("passthrough", arguments[1]);
        CollectionAssert.Contains(new[] { "-fps_mode", "-vsync" }, arguments[0]);
    }
}
