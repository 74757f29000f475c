[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Container tests share one machine of 2 cores: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
