using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// What the installed ffmpeg supports, asked once per program: <c>-fps_mode</c> arrived in ffmpeg 5.1 and replaces
/// <c>-vsync</c> (deprecated then, and meant to go in later versions).
/// </summary>
internal static partial class FfmpegCapabilities
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<bool>>> FpsMode = new(StringComparer.Ordinal);

    /// <summary>
    /// The output options that pass every decoded frame through unchanged (no frame dropped or duplicated to fit a
    /// rate): <c>-fps_mode passthrough</c>, or <c>-vsync passthrough</c> for ffmpeg before 5.1.
    /// </summary>
    public static async Task<string[]> PassthroughArgumentsAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        Task<bool> probe = FpsMode.GetOrAdd(ffmpegPath, path => new Lazy<Task<bool>>(() => HasFpsModeAsync(path))).Value;
        bool fpsMode = await probe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return fpsMode ? ["-fps_mode", "passthrough"] : ["-vsync", "passthrough"];
    }

    /// <summary>True when <c>ffmpeg -version</c>'s first line names version 5.1 or later, or a development build (git: N-…).</summary>
    internal static bool SupportsFpsMode(string versionLine)
    {
        Match match = VersionPattern().Match(versionLine);
        if (!match.Success)
        {
            return true;   // development builds ("ffmpeg version N-112345-g…") are newer than any release
        }

        int major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        int minor = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return major > 5 || (major == 5 && minor >= 1);
    }

    private static async Task<bool> HasFpsModeAsync(string ffmpegPath)
    {
        ProcessResult<string> result = await FfmpegProcess.RunForTextAsync(
            ffmpegPath, ["-hide_banner", "-version"], "(ffmpeg -version)", CancellationToken.None).ConfigureAwait(false);
        string firstLine = result.Value.Split('\n', 2)[0];
        return SupportsFpsMode(firstLine);
    }

    [GeneratedRegex(@"^ffmpeg version n?(\d+)\.(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
