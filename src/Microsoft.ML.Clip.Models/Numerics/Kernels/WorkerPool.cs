using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>A unit of parallel work: items <c>0 … count-1</c>, each independent of the others.</summary>
internal abstract class ParallelJob
{
    /// <summary>Runs item <paramref name="index"/>.</summary>
    public abstract void Execute(int index);
}

/// <summary>
/// A tiny fork-join pool of persistent threads for the kernels. Unlike <c>Parallel.For</c> it allocates nothing per call.
/// The calling thread takes part; items are handed out dynamically. One job runs at a time: a call made while the pool is
/// busy (another thread's job, or a kernel nested inside a job) simply runs on the calling thread. Because every item
/// always computes the same outputs the same way, where an item runs never changes a result.
/// </summary>
/// <remarks>
/// Workers spin briefly (<see cref="SpinMicroseconds"/>) after a job before they block, because a model issues its
/// GEMMs back to back and waking a blocked thread costs tens of microseconds. A helper that has not claimed a slot when
/// the caller runs out of items is not waited for, so a descheduled worker never delays a job.
/// </remarks>
internal static class WorkerPool
{
    /// <summary>How long an idle worker polls for the next job before it blocks.</summary>
    private const int SpinMicroseconds = 100;

    /// <summary>Below this many values an element-wise pass (copies, adds, norms) is not worth waking a worker for.</summary>
    private const int MinParallelValues = 1 << 15;

    /// <summary>The threads an element-wise pass over <paramref name="values"/> values gets: 1 below <see cref="MinParallelValues"/>, else up to <paramref name="maxThreads"/>.</summary>
    public static int ThreadsForValues(long values, int maxThreads) => values >= MinParallelValues ? Math.Max(1, maxThreads) : 1;

    /// <summary>Rows per item for <paramref name="rows"/> rows on <paramref name="threads"/> threads: about four items a thread, so a descheduled thread holds back little.</summary>
    public static int RowsPerItem(int rows, int threads) => Math.Max(1, (rows + (4 * threads) - 1) / (4 * threads));

    private static readonly object s_gate = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static int s_workers;
    private static int s_sleepers;
    private static int s_generation;
    private static int s_slots;
    private static int s_finished;
    private static ParallelJob? s_job;
    private static int s_next;
    private static int s_count;
    private static Exception? s_error;

    [ThreadStatic]
    private static bool t_inWorker;

    /// <summary>Runs <paramref name="job"/> for items <c>0 … count-1</c> on up to <paramref name="maxThreads"/> threads and waits.</summary>
    public static void Run(ParallelJob job, int count, int maxThreads)
    {
        int threads = Math.Min(maxThreads, count);

        // Monitor is re-entrant: a kernel nested inside an item on the calling thread must not restart the running job.
        if (threads <= 1 || t_inWorker || Monitor.IsEntered(s_gate) || !Monitor.TryEnter(s_gate))
        {
            for (int i = 0; i < count; i++)
            {
                job.Execute(i);
            }

            return;
        }

        try
        {
            int helpers = threads - 1;
            EnsureWorkers(helpers);
            s_job = job;
            s_count = count;
            s_error = null;
            s_finished = 0;
            Volatile.Write(ref s_next, 0);
            Volatile.Write(ref s_slots, helpers);
            Interlocked.Increment(ref s_generation); // publishes the job (full fence)
            int sleepers = Volatile.Read(ref s_sleepers);
            if (sleepers > 0)
            {
                s_wake.Release(Math.Min(sleepers, helpers));
            }

            Work(job);

            // Helpers that have not claimed a slot by now will find none; wait only for those that did.
            int claimed = helpers - Interlocked.Exchange(ref s_slots, 0);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref s_finished) < claimed)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            s_job = null;
            if (s_error is { } error)
            {
                // The same exception as when the items run inline.
                ExceptionDispatchInfo.Capture(error).Throw();
            }
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    private static void Work(ParallelJob job)
    {
        try
        {
            int count = s_count;
            while (true)
            {
                int item = Interlocked.Increment(ref s_next) - 1;
                if (item >= count)
                {
                    return;
                }

                job.Execute(item);
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref s_error, ex, null);
            Volatile.Write(ref s_next, int.MaxValue / 2); // stop handing out items
        }
    }

    private static void EnsureWorkers(int needed)
    {
        while (s_workers < needed)
        {
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"Clip numerics worker {s_workers + 1}" };
            thread.Start();
            s_workers++;
        }
    }

    private static void WorkerLoop()
    {
        t_inWorker = true;
        int seen = Volatile.Read(ref s_generation);
        while (true)
        {
            seen = WaitForNextGeneration(seen);
            if (TryClaimSlot())
            {
                // The caller waits for this helper until it reports, so s_job is this generation's job.
                Work(s_job!);
                Interlocked.Increment(ref s_finished);
            }
        }
    }

    /// <summary>Polls for a generation other than <paramref name="seen"/>, then blocks; returns the new generation.</summary>
    private static int WaitForNextGeneration(int seen)
    {
        long start = Stopwatch.GetTimestamp();
        long spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        while (Stopwatch.GetTimestamp() - start < spinTicks)
        {
            int generation = Volatile.Read(ref s_generation);
            if (generation != seen)
            {
                return generation;
            }

            Thread.SpinWait(20);
        }

        while (true)
        {
            Interlocked.Increment(ref s_sleepers);
            int generation = Volatile.Read(ref s_generation); // re-check after announcing: no lost wake-up
            if (generation == seen)
            {
                s_wake.Wait();
                generation = Volatile.Read(ref s_generation);
            }

            Interlocked.Decrement(ref s_sleepers);
            if (generation != seen)
            {
                return generation;
            }
        }
    }

    private static bool TryClaimSlot()
    {
        int slots = Volatile.Read(ref s_slots);
        while (slots > 0)
        {
            int previous = Interlocked.CompareExchange(ref s_slots, slots - 1, slots);
            if (previous == slots)
            {
                return true;
            }

            slots = previous;
        }

        return false;
    }
}
