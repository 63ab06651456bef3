using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

[TestClass]
public sealed class WorkerPoolTests
{
    [TestMethod]
    public void EveryItemRunsOnceAndNestedJobsRunInline()
    {
        var outer = new NestingJob();
        WorkerPool.Run(outer, 16, 4);
        for (int i = 0; i < 16; i++)
        {
            Assert.AreEqual(1, outer.Runs[i], $"outer item {i}");
            CollectionAssert.AreEqual(Enumerable.Repeat(1, 8).ToArray(), outer.Inner[i].Runs, $"inner items of {i}");
        }
    }

    [TestMethod]
    public void AnItemExceptionReachesTheCaller()
    {
        // Whether the items ran on the pool or inline (pool busy with another test), the item's own exception surfaces.
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => WorkerPool.Run(new ThrowingJob(), 8, 2));
        Assert.AreEqual("item 5", ex.Message);

        // The pool still works afterwards.
        var job = new CountingJob(10);
        WorkerPool.Run(job, 10, 2);
        CollectionAssert.AreEqual(Enumerable.Repeat(1, 10).ToArray(), job.Runs);
    }

    private sealed class CountingJob(int count) : ParallelJob
    {
        public int[] Runs { get; } = new int[count];

        public override void Execute(int index) => Interlocked.Increment(ref Runs[index]);
    }

    private sealed class NestingJob : ParallelJob
    {
        public int[] Runs { get; } = new int[16];

        public CountingJob[] Inner { get; } = Enumerable.Range(0, 16).Select(_ => new CountingJob(8)).ToArray();

        public override void Execute(int index)
        {
            Interlocked.Increment(ref Runs[index]);
            WorkerPool.Run(Inner[index], 8, 4);
        }
    }

    private sealed class ThrowingJob : ParallelJob
    {
        public override void Execute(int index)
        {
            if (index == 5)
            {
                throw new InvalidOperationException("item 5");
            }
        }
    }
}
