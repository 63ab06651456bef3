using System.Runtime.ExceptionServices;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Runs a number of independent asynchronous jobs (one per file: an ffprobe or ffmpeg child each) with a bound on how
/// many are in flight. The first failure cancels the jobs still running and is rethrown as it was thrown.
/// </summary>
internal static class ConcurrentWork
{
    /// <summary>Runs <c>job(i)</c> for every i in <c>[0, count)</c>, at most <paramref name="maxConcurrency"/> at once.</summary>
    /// <param name="count">The number of jobs.</param>
    /// <param name="maxConcurrency">The most jobs in flight (≥ 1); 1 runs them one after another, in order.</param>
    /// <param name="job">Job i, given a token that is cancelled when the caller cancels or another job fails.</param>
    /// <param name="cancellationToken">Cancels every job.</param>
    /// <returns>The results, in job order.</returns>
    public static async Task<T[]> RunAsync<T>(int count, int maxConcurrency, Func<int, CancellationToken, Task<T>> job, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var results = new T[count];
        if (count <= 1 || maxConcurrency == 1)
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = await job(i, cancellationToken).ConfigureAwait(false);
            }

            return results;
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ExceptionDispatchInfo? firstFailure = null;
        int next = -1;

        async Task WorkerAsync()
        {
            await Task.Yield();   // workers run concurrently from their first job on
            for (int i = Interlocked.Increment(ref next); i < count && !failed.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                try
                {
                    results[i] = await job(i, failed.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException && failed.IsCancellationRequested))
                {
                    // A real failure (not the cancellation it causes in the other jobs): keep the first, stop the rest.
                    Interlocked.CompareExchange(ref firstFailure, ExceptionDispatchInfo.Capture(e), null);
                    failed.Cancel();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(count, maxConcurrency)).Select(_ => WorkerAsync())).ConfigureAwait(false);
        firstFailure?.Throw();
        cancellationToken.ThrowIfCancellationRequested();
        return results;
    }
}
