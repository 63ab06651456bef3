// Each test runs its notebook in a kernel of its own; the notebooks share only the packed feed and the tiny models.
[assembly: Parallelize(Workers = 0, Scope = ExecutionScope.MethodLevel)]
