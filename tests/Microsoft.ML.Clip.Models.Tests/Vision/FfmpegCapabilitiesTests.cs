using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>
/// -fps_mode (ffmpeg 5.1+) or -vsync (older), and -/filter (7.1+) or -filter_script (older; removed in 9), chosen from
/// the first line of <c>ffmpeg -version</c>.
/// </summary>
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
    [DataRow("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers", false)]
    [DataRow("ffmpeg version n7.0 Copyright (c) 2000-2024 the FFmpeg developers", false)]
    [DataRow("ffmpeg version 7.1 Copyright (c) 2000-2024 the FFmpeg developers", true)]
    [DataRow("ffmpeg version 9.0.1-full_build-www.gyan.dev Copyright (c) 2000-2026 the FFmpeg developers", true)]
    [DataRow("ffmpeg version N-112345-g0123456789 Copyright (c) 2000-2024 the FFmpeg developers", true)]
    public void OptionValuesFromFilesFromVersion7Point1On(string versionLine, bool expected) =>
        Assert.AreEqual(expected, FfmpegCapabilities.SupportsOptionFromFile(versionLine), versionLine);

    [TestMethod]
    public void TheInstalledFfmpegGetsAFilterFromFileOption()
    {
        string option = FfmpegCapabilities.FilterFromFileOptionAsync(FfmpegTools.Default.FfmpegPath, CancellationToken.None).GetAwaiter().GetResult();

        CollectionAssert.Contains(new[] { "-/filter:v", "-filter_script:v" }, option);
    }

    [TestMethod]
    public void TheInstalledFfmpegGetsPassthroughArguments()
    {
        string[] arguments = FfmpegCapabilities.PassthroughArgumentsAsync(FfmpegTools.Default.FfmpegPath, CancellationToken.None).GetAwaiter().GetResult();

        Assert.AreEqual(2, arguments.Length);
        Assert.AreEqual("passthrough", arguments[1]);
        CollectionAssert.Contains(new[] { "-fps_mode", "-vsync" }, arguments[0]);
    }

    [TestMethod]
    public async Task AnFfmpegThatNeverAnswersVersionIsStoppedWithAMessage()
    {
        using var temp = new TempMedia();
        string wrapper = temp.File("ffmpeg");
        File.WriteAllText(wrapper, "#!/bin/sh\nexec sleep 600\n");
        TempMedia.Run("chmod", "+x", wrapper);
        var started = new System.Collections.Concurrent.ConcurrentBag<int>();
        void OnStarted(int id, string file)
        {
            if (file == "(ffmpeg -version)")
            {
                started.Add(id);
            }
        }

        FfmpegProcess.Started += OnStarted;
        InvalidOperationException error;
        try
        {
            error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => FfmpegCapabilities.ReadVersionLineAsync(wrapper, TimeSpan.FromMilliseconds(300)));
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        StringAssert.Contains(error.Message, wrapper + " -version' did not answer within 0.3 s");
        Assert.IsFalse(started.IsEmpty, "the program was started");
        foreach (int id in started.Where(id => TempMedia.IsRunning(id, "sleep")))
        {
            Assert.Fail($"the program (pid {id}) was left running");
        }
    }
}
