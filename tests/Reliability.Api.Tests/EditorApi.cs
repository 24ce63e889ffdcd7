using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>A service on a database of its own, and an editor's client: the fixture most functional tests need.</summary>
public abstract class EditorApi(string purpose) : IAsyncLifetime
{
    public ReliabilityApiFactory Factory { get; private set; } = null!;
    public HttpClient Editor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Factory = await ReliabilityApiFactory.StartAsync(purpose);
        Editor = await Factory.CreateClientAsync(ApiKeyRole.Editor);
    }

    public async Task DisposeAsync()
    {
        Editor.Dispose();
        await Factory.DisposeAsync();
    }
}
