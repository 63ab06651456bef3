using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>The bounded runner behind concurrent decoding: order, bound, first failure, cancellation.</summary>
[TestClass]
public sealed class ConcurrentWorkTests
{
    [TestMethod]
    public async Task ResultsKeepJobOrderAndTheBoundHolds()
    {
        int running = 0, most = 0;
        int[] results = await ConcurrentWork.RunAsync(20, 3, async (i, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(5 + (i % 4 * 3), ct);
            Interlocked.Decrement(ref running);
            return i * i;
        }, CancellationToken.None);

        CollectionAssert.AreEqual(Enumerable.Range(0, 20).Select(i => i * i).ToArray(), results);
        Assert.IsTrue(most <= 3, $"never more than three jobs in flight; saw {most}");
        Assert.IsTrue(most > 1, $"jobs did run concurrently; at most {most} at once");
    }

    [TestMethod]
    public async Task TheFirstFailureIsRethrownAndStopsTheRest()
    {
        int cancelled = 0, started = 0;
        var ex = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ConcurrentWork.RunAsync(50, 2, async (i, ct) =>
        {
            Interlocked.Increment(ref started);
            if (i == 1)
            {
                throw new InvalidDataException("file 1 is corrupt");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }

            return i;
        }, CancellationToken.None));

        Assert.AreEqual("file 1 is corrupt", ex.Message);
        Assert.IsTrue(cancelled >= 1, "the job in flight was cancelled");
        Assert.IsTrue(started < 50, $"no new job starts after a failure; {started} started");
    }

    [TestMethod]
    public async Task CallerCancellationIsReportedAsCancellation()
    {
        using var cts = new CancellationTokenSource();
        Task<int[]> run = ConcurrentWork.RunAsync(4, 2, async (i, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return i;
        }, cts.Token);
        cts.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => run);
    }

    [TestMethod]
    public async Task OneAtATimeRunsInOrder()
    {
        var order = new List<int>();
        await ConcurrentWork.RunAsync(5, 1, (i, ct) =>
        {
            order.Add(i);
            return Task.FromResult(i);
        }, CancellationToken.None);

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, order);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
