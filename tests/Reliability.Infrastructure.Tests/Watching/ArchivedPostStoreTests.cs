using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class ArchivedPostStoreTests
{
    private static Task<ServiceProvider> CreateAsync() =>
        StoreHost.CreateAsync("archive", (s, c) => s.AddReliabilityWatcher(c));

    [Fact]
    public async Task An_archived_post_is_kept_with_the_hash_of_its_text()
    {
        await using var services = await CreateAsync();
        var store = services.GetRequiredService<ArchivedPostStore>();

        await store.ArchiveAsync("claim-1", "https://x.com/desk/status/1", "Strike reported near the bridge — يبقى");
        var archived = await store.GetAsync("claim-1");

        Assert.NotNull(archived);
        Assert.Equal("https://x.com/desk/status/1", archived.Url);
        Assert.Equal("Strike reported near the bridge — يبقى", archived.Text);
        Assert.Equal(64, archived.ContentHash.Length);
        Assert.Equal(ArchivedPost.HashOf("Strike reported near the bridge — يبقى"), archived.ContentHash);
        Assert.True(archived.IsIntact);
        Assert.False((archived with { Text = "edited" }).IsIntact);
        Assert.Null(await store.GetAsync("claim-2"));
    }

    [Fact]
    public async Task The_first_archive_of_a_claim_wins()
    {
        await using var services = await CreateAsync();
        var store = services.GetRequiredService<ArchivedPostStore>();

        var first = await store.ArchiveAsync("claim-1", "https://example.org/p", "original text");
        var again = await store.ArchiveAsync("claim-1", "https://example.org/p", "edited text");

        Assert.Equal("original text", again.Text);
        Assert.Equal(first.ContentHash, (await store.GetAsync("claim-1"))!.ContentHash);
    }

    [Fact]
    public void The_hash_is_sha256_hex()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ArchivedPost.HashOf("abc"));
    }
}
