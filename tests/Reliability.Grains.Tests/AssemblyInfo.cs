// Each class runs its own two-silo cluster; one at a time is what a shared two-core machine can carry.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
