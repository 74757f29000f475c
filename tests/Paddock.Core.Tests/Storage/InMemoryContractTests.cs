using Paddock.Core.Storage;
using Paddock.Testing.Contracts;
using Paddock.Testing.Fakes;

namespace Paddock.Core.Tests.Storage;

/// <summary>The test doubles pass the contracts the real stores pass, so lifecycle tests on them mean something.</summary>
public sealed class InMemorySandboxStoreContractTests : SandboxStoreContract
{
    protected override Task<ISandboxStore> CreateStoreAsync() => Task.FromResult<ISandboxStore>(new InMemorySandboxStore());
}

public sealed class InMemorySandboxLogStoreContractTests : SandboxLogStoreContract
{
    protected override Task<ISandboxLogStore> CreateStoreAsync() => Task.FromResult<ISandboxLogStore>(new InMemorySandboxLogStore());
}
