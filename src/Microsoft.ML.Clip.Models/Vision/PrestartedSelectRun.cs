namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The sequential (select) ffmpeg run of a video, started before the video is probed so that ffmpeg's start-up —
/// loading its libraries, opening and probing the input, about as long as the whole ffprobe run it waits for — overlaps
/// the probe instead of following it (tests/perf/README.md, pre-processing).
/// </summary>
/// <remarks>
/// ffmpeg reads its filter graph from stdin (<c>-filter_script:v pipe:0</c>, <c>-/filter:v pipe:0</c> from 7.1 on)
/// after it has opened and probed the input, and waits there until the probe has said which frames to keep. The graph
/// is the one <see cref="FfmpegFrameDecoder.DecodeBySelectAsync"/> passes with <c>-vf</c>, headed by
/// <c>trim=end_frame=last+1</c>: the frame count is unknown when ffmpeg starts, so <c>-frames:v</c> cannot end the run,
/// and the trim ends the stream (and the decoding) right after the last wanted frame. Same filters on the same frames:
/// the same pixels. A run that is not used — the file is an image, or its frames are reached by seeking, or the probe
/// failed — is killed by <see cref="DisposeAsync"/>.
/// </remarks>
internal sealed class PrestartedSelectRun : IAsyncDisposable
{
    private readonly TaskCompletionSource<Job> _job = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly VideoDecoder _decoder;
    private readonly string _path;
    private readonly Task _run;
    private int _claimed;

    private PrestartedSelectRun(VideoDecoder decoder, string path, List<string> arguments)
    {
        _decoder = decoder;
        _path = path;
        _run = RunAsync(arguments);
    }

    /// <summary>Starts ffmpeg on the video file <paramref name="path"/> with <paramref name="decoder"/>'s settings; it waits for its filter graph.</summary>
    public static async Task<PrestartedSelectRun> StartAsync(VideoDecoder decoder, string path, CancellationToken cancellationToken)
    {
        var video = new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" };
        string ffmpeg = decoder.Tools.FfmpegPath;
        List<string> arguments = FfmpegFrameDecoder.InputArguments(decoder, video, seekSeconds: null);
        arguments.AddRange([await FfmpegCapabilities.FilterFromFileOptionAsync(ffmpeg, cancellationToken).ConfigureAwait(false), "pipe:0"]);
        arguments.AddRange(await FfmpegCapabilities.PassthroughArgumentsAsync(ffmpeg, cancellationToken).ConfigureAwait(false));
        arguments.AddRange(FfmpegFrameDecoder.RawOutputArguments(RawFrameReader.OutputFormat(video).Format));
        return new PrestartedSelectRun(decoder, path, arguments);
    }

    /// <summary>True when this run can decode <paramref name="info"/>'s frames for <paramref name="decoder"/>: not used yet, same file, same settings, a video.</summary>
    public bool CanServe(VideoDecoder decoder, VideoInfo info) =>
        Volatile.Read(ref _claimed) == 0 && ReferenceEquals(decoder, _decoder) && info.Path == _path
        && info.LocalFile is null && info.EncodedData is null && !info.IsImage;

    /// <summary>Hands ffmpeg the filter graph for <paramref name="sortedIndices"/> and streams the frames, as <see cref="FfmpegFrameDecoder.DecodeBySelectAsync"/> does.</summary>
    /// <exception cref="InvalidOperationException">The run was used already.</exception>
    public async Task DecodeAsync(
        VideoInfo info, int[] sortedIndices, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            throw new InvalidOperationException($"The prestarted ffmpeg run of '{_path}' was used already.");
        }

        SelectedFrames selected = SelectedFrames.For(sortedIndices);
        string filterGraph = $"trim=end_frame={selected.LastFrame + 1}," + FfmpegFrameDecoder.FilterGraph(info, selected.SelectFilter, _decoder.ConvertsOnlyAroundTheWindow);
        using CancellationTokenRegistration registration = cancellationToken.Register(_stop.Cancel);
        _job.SetResult(new Job(info, filterGraph, selected.OutputCount, selected.Description, selected.Deliver(onFrame), reuseBuffer));
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (ProcessOutputException e)
        {
            throw FfmpegFrameDecoder.Failure(info, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>Kills ffmpeg if the run was never used, and waits until the child is reaped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _claimed, 1) == 0)
        {
            _job.TrySetCanceled();
            _stop.Cancel();
        }

        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Unused (killed) or already reported by DecodeAsync.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(List<string> arguments)
    {
        await FfmpegProcess.RunAsync(_decoder.Tools.FfmpegPath, arguments, _path, async (stdout, ct) =>
        {
            Job job = await _job.Task.WaitAsync(ct).ConfigureAwait(false);

            // Every wanted frame arrives complete or the reader throws, so a complaint ffmpeg makes after them
            // (about a truncated tail, say) does not matter: the exit code is not checked.
            return await FfmpegFrameDecoder.ReadFramesAsync(stdout, job.Info, job.Count, job.What, job.OnFrame, job.ReuseBuffer, ct)
                .ConfigureAwait(false);
        }, _stop.Token, stopWhenRead: true, standardInput: FilterGraphAsync()).ConfigureAwait(false);

        async Task<string> FilterGraphAsync() => (await _job.Task.ConfigureAwait(false)).FilterGraph;
    }

    private sealed record Job(VideoInfo Info, string FilterGraph, int Count, string What, Action<int, RgbImage> OnFrame, bool ReuseBuffer);
}
