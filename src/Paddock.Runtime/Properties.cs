// Paddock's runtime drives Linux namespaces, cgroups and mounts; it runs nowhere else.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
