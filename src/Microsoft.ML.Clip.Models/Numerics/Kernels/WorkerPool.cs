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
internal static class WorkerPool
{
    private static readonly object s_gate = new();
    private static readonly SemaphoreSlim s_start = new(0);
    private static readonly ManualResetEventSlim s_done = new(false);
    private static int s_workers;
    private static ParallelJob? s_job;
    private static int s_next;
    private static int s_count;
    private static int s_active;
    private static Exception? s_error;

    [ThreadStatic]
    private static bool t_inWorker;

    /// <summary>Runs <paramref name="job"/> for items <c>0 … count-1</c> on up to <paramref name="maxThreads"/> threads and waits.</summary>
    public static void Run(ParallelJob job, int count, int maxThreads)
    {
        int threads = Math.Min(maxThreads, count);
        // Monitor is re-entrant: a kernel nested inside an item on the calling thread must not restart the running job.
        if (threads <= 1 || Monitor.IsEntered(s_gate) || t_inWorker || !Monitor.TryEnter(s_gate))
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
            Volatile.Write(ref s_next, 0);
            s_active = helpers;
            s_done.Reset();
            s_start.Release(helpers);
            try
            {
                Work(job);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref s_error, ex, null);
                Volatile.Write(ref s_next, int.MaxValue / 2);
            }

            s_done.Wait();
            s_job = null;
            if (s_error is { } error)
            {
                // The same exception as when the items run inline.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            }
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    private static void Work(ParallelJob job)
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
        while (true)
        {
            s_start.Wait();
            try
            {
                if (s_job is { } job)
                {
                    Work(job);
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref s_error, ex, null);
                Volatile.Write(ref s_next, int.MaxValue / 2); // stop handing out items
            }
            finally
            {
                if (Interlocked.Decrement(ref s_active) == 0)
                {
                    s_done.Set();
                }
            }
        }
    }
}
