using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// What the installed ffmpeg supports, asked once per program (its <c>-version</c> line): <c>-fps_mode</c> arrived in
/// ffmpeg 5.1 and replaces <c>-vsync</c> (deprecated then, and meant to go in later versions); <c>-/filter</c> (an
/// option's value read from a file) arrived in 7.1 and replaces <c>-filter_script</c>, which ffmpeg 9 removed.
/// </summary>
internal static partial class FfmpegCapabilities
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> VersionLines = new(StringComparer.Ordinal);

    /// <summary>
    /// The output options that pass every decoded frame through unchanged (no frame dropped or duplicated to fit a
    /// rate): <c>-fps_mode passthrough</c>, or <c>-vsync passthrough</c> for ffmpeg before 5.1.
    /// </summary>
    public static async Task<string[]> PassthroughArgumentsAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        string versionLine = await VersionLineAsync(ffmpegPath, cancellationToken).ConfigureAwait(false);
        return SupportsFpsMode(versionLine) ? ["-fps_mode", "passthrough"] : ["-vsync", "passthrough"];
    }

    /// <summary>
    /// The output option whose value is the path of a file holding the video filter graph: <c>-/filter:v</c> from
    /// ffmpeg 7.1 on, <c>-filter_script:v</c> before. The file is read after the inputs are opened and probed.
    /// </summary>
    public static async Task<string> FilterFromFileOptionAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        string versionLine = await VersionLineAsync(ffmpegPath, cancellationToken).ConfigureAwait(false);
        return SupportsOptionFromFile(versionLine) ? "-/filter:v" : "-filter_script:v";
    }

    /// <summary>True when <c>ffmpeg -version</c>'s first line names version 5.1 or later, or a development build (git: N-…).</summary>
    internal static bool SupportsFpsMode(string versionLine) => IsAtLeast(versionLine, 5, 1);

    /// <summary>True when <c>ffmpeg -version</c>'s first line names version 7.1 or later, or a development build.</summary>
    internal static bool SupportsOptionFromFile(string versionLine) => IsAtLeast(versionLine, 7, 1);

    private static bool IsAtLeast(string versionLine, int wantedMajor, int wantedMinor)
    {
        Match match = VersionPattern().Match(versionLine);
        if (!match.Success)
        {
            return true;   // development builds ("ffmpeg version N-112345-g…") are newer than any release
        }

        int major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        int minor = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return major > wantedMajor || (major == wantedMajor && minor >= wantedMinor);
    }

    /// <summary>How long <c>ffmpeg -version</c> may take (it answers in a fraction of a second) before it is killed.</summary>
    internal static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(30);

    private static Task<string> VersionLineAsync(string ffmpegPath, CancellationToken cancellationToken) =>
        VersionLines.GetOrAdd(ffmpegPath, path => new Lazy<Task<string>>(() => ReadVersionLineAsync(path, VersionTimeout))).Value.WaitAsync(cancellationToken);

    /// <summary>
    /// Runs <c>ffmpeg -version</c> and returns its first line. The run is shared by every caller of the program (so no
    /// caller's token stops it), and bounded by <paramref name="timeout"/>: a program that does not answer is killed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The program did not answer within <paramref name="timeout"/>.</exception>
    internal static async Task<string> ReadVersionLineAsync(string ffmpegPath, TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            ProcessResult<string> result = await FfmpegProcess.RunForTextAsync(
                ffmpegPath, ["-hide_banner", "-version"], "(ffmpeg -version)", timer.Token).ConfigureAwait(false);
            return result.Value.Split('\n', 2)[0];
        }
        catch (OperationCanceledException e) when (timer.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"'{ffmpegPath} -version' did not answer within {timeout.TotalSeconds:0.#} s, so it was stopped; check that '{ffmpegPath}' is a working ffmpeg. {FfmpegTools.InstallHint}",
                e);
        }
    }

    [GeneratedRegex(@"^ffmpeg version n?(\d+)\.(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
