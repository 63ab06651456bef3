// The notebooks run one after another in one worker (class-level parallelism): notebooks with the same #r lines then
// reuse the first one's package restore (the kernel caches restore results by those lines), which costs less than
// restoring concurrently on a small CI machine. Each notebook still gets a kernel of its own.
[assembly: Parallelize(Workers = 0, Scope = ExecutionScope.ClassLevel)]
