using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Reliability.Deploy.Tests;

/// <summary>
/// There is no container engine or cluster where the suite runs, so the deploy files are checked for
/// what can go wrong without one: they parse, they name configuration keys the service reads, and the
/// ports, probes and file names agree with the service and with each other.
/// </summary>
public sealed partial class DeployFileTests
{
    private const string Compose = "deploy/compose.yaml";
    private const string Kubernetes = "deploy/kubernetes/reliability.yaml";
    private const string Dockerfile = "deploy/container/Dockerfile";
    private const string SystemdUnit = "deploy/systemd/reliability.service";
    private const string SystemdSettings = "deploy/systemd/reliability.env.example";

    private static readonly IReadOnlySet<string> Documented = DeployFiles.DocumentedKeys();

    [Fact]
    public void The_readme_table_is_read_as_keys()
    {
        // Guards the parser the other tests rely on: a row with siblings, and a plain row.
        Assert.Contains("Reliability:Orleans:GatewayPort", Documented);
        Assert.Contains("ConnectionStrings:Reliability", Documented);
        Assert.False(DeployFiles.IsDocumented("Reliability__Orleans__NoSuchKey", Documented));
    }

    [Fact]
    public void Compose_runs_postgres_and_two_silos_clustered_through_it()
    {
        var services = DeployFiles.ReadYaml(Compose).Single().Child("services");
        var silos = services.Entries().Where(s => s.Key != "postgres").ToList();

        Assert.Equal("postgres:15", services.Scalar("postgres", "image"));
        Assert.True(silos.Count >= 2, "the compose file shows a cluster, so it runs at least two silos");
        foreach (var (name, silo) in silos)
        {
            Assert.Equal("deploy/container/Dockerfile", silo.Scalar("build", "dockerfile"));
            Assert.Equal("service_healthy", silo.Scalar("depends_on", "postgres", "condition"));
            var environment = silo.Child("environment").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!);
            Assert.Equal("PostgreSQL", environment["Reliability__Orleans__Clustering"]);
            Assert.Contains("Host=postgres;", environment["ConnectionStrings__Reliability"], StringComparison.Ordinal);
            AssertDocumented(environment.Keys, $"{Compose} ({name})");
        }

        var published = silos.SelectMany(s => s.Value.Child("ports").Items()).Select(p => ((YamlScalarNode)p).Value!.Split(':')[0]).ToList();
        Assert.Equal(published.Count, published.Distinct().Count());
    }

    [Fact]
    public void Kubernetes_runs_two_probed_silos_that_advertise_their_pod_address()
    {
        var documents = DeployFiles.ReadYaml(Kubernetes);
        var byKind = documents.ToDictionary(d => d.Scalar("kind"));
        Assert.Equal(["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service"], byKind.Keys.Order());

        var deployment = byKind["Deployment"];
        var labels = deployment.Child("spec", "selector", "matchLabels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
        Assert.Equal(labels, deployment.Child("spec", "template", "metadata", "labels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value));
        Assert.Equal(labels, byKind["Service"].Child("spec", "selector").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value));
        Assert.True(int.Parse(deployment.Scalar("spec", "replicas"), System.Globalization.CultureInfo.InvariantCulture) >= 2);

        var container = deployment.Child("spec", "template", "spec", "containers").Items().Single();
        Assert.Equal("/health/ready", container.Scalar("readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", container.Scalar("livenessProbe", "httpGet", "path"));
        var ports = container.Child("ports").Items().Select(p => int.Parse(p.Scalar("containerPort"), System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal(ExposedPorts(), ports);

        var advertised = container.Child("env").Items().Single(e => e.Scalar("name") == "Reliability__Orleans__AdvertisedAddress");
        Assert.Equal("status.podIP", advertised.Scalar("valueFrom", "fieldRef", "fieldPath"));

        var named = byKind["ConfigMap"].Child("data").Entries().Select(e => e.Key)
            .Concat(byKind["Secret"].Child("stringData").Entries().Select(e => e.Key))
            .Concat(container.Child("env").Items().Select(e => e.Scalar("name")));
        AssertDocumented(named, Kubernetes);
        Assert.Equal("PostgreSQL", byKind["ConfigMap"].Scalar("data", "Reliability__Orleans__Clustering"));
    }

    [Fact]
    public void The_container_image_builds_from_files_that_exist_and_starts_the_service()
    {
        var dockerfile = DeployFiles.Read(Dockerfile);
        foreach (Match copy in CopyInstruction().Matches(dockerfile))
        {
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            {
                Assert.True(Path.Exists(Path.Combine(DeployFiles.Root, source)), $"{Dockerfile} copies {source}, which is not in the repository");
            }
        }

        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Reliability.Api.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(DeployFiles.Root, "src/Reliability.Api/Reliability.Api.csproj")));
        Assert.Contains("src/Reliability.Api/Reliability.Api.csproj", dockerfile, StringComparison.Ordinal);
        AssertDocumented(EnvironmentInstruction().Matches(dockerfile).Select(m => m.Groups[1].Value), Dockerfile);

        // The exposed silo and gateway ports are the service's defaults, which the image does not override.
        var orleans = JsonDocument.Parse(DeployFiles.Read("src/Reliability.Api/appsettings.json")).RootElement.GetProperty("Reliability").GetProperty("Orleans");
        Assert.Equal(new[] { 8080, orleans.GetProperty("SiloPort").GetInt32(), orleans.GetProperty("GatewayPort").GetInt32() }.Order(), ExposedPorts());
    }

    [Fact]
    public void The_systemd_unit_runs_the_published_service_with_documented_settings()
    {
        var unit = DeployFiles.Read(SystemdUnit);
        var sections = SectionHeader().Matches(unit).Select(m => m.Groups[1].Value);
        Assert.Equal(["Unit", "Service", "Install"], sections);
        var settings = unit.Split('\n').Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToLookup(p => p[0].Trim(), p => p[1].Trim());
        Assert.EndsWith("Reliability.Api.dll", settings["ExecStart"].Single(), StringComparison.Ordinal);
        Assert.Equal("SIGTERM", settings["KillSignal"].Single());
        Assert.True(int.Parse(settings["TimeoutStopSec"].Single(), System.Globalization.CultureInfo.InvariantCulture) >= 30);
        Assert.Equal("/etc/reliability/reliability.env", settings["EnvironmentFile"].Single());

        var names = DeployFiles.Read(SystemdSettings).Split('\n')
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)[0]).ToList();
        Assert.Contains("ConnectionStrings__Reliability", names);
        AssertDocumented(names, SystemdSettings);
    }

    [Fact]
    public void The_runbook_covers_what_an_operator_needs()
    {
        var runbook = DeployFiles.Read("deploy/RUNBOOK.md");
        foreach (var topic in new[] { "## Configuration", "### Backup and restore", "## Scaling out", "Rolling upgrade", "Migrations" })
        {
            Assert.Contains(topic, runbook, StringComparison.Ordinal);
        }

        foreach (Match key in RunbookKey().Matches(runbook))
        {
            var named = key.Groups[1].Value;
            Assert.True(
                Documented.Contains(named) || Documented.Any(d => d.StartsWith(named + ":", StringComparison.OrdinalIgnoreCase)),
                $"the runbook names {named}, which the README does not document");
        }

        foreach (var file in new[] { Compose, Kubernetes, Dockerfile, SystemdUnit })
        {
            Assert.Contains(file, runbook, StringComparison.Ordinal);
        }
    }

    private static void AssertDocumented(IEnumerable<string> environmentNames, string where)
    {
        var unknown = environmentNames
            .Where(name => !DeployFiles.IsPlatformSetting(name) && !DeployFiles.IsDocumented(name, Documented))
            .ToList();
        Assert.True(unknown.Count == 0, $"{where} sets {string.Join(", ", unknown)}, not in the README's configuration table");
    }

    private static IEnumerable<int> ExposedPorts() =>
        ExposeInstruction().Match(DeployFiles.Read(Dockerfile)).Groups[1].Value
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).Order();

    [GeneratedRegex(@"^COPY (?!--from)(.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyInstruction();

    [GeneratedRegex(@"^EXPOSE (.+)$", RegexOptions.Multiline)]
    private static partial Regex ExposeInstruction();

    [GeneratedRegex(@"^(?:ENV |\s+)([A-Za-z_]+__[A-Za-z_0-9]+)=", RegexOptions.Multiline)]
    private static partial Regex EnvironmentInstruction();

    [GeneratedRegex(@"^\[(\w+)\]", RegexOptions.Multiline)]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"`((?:Reliability|ConnectionStrings):[A-Za-z:]+)`")]
    private static partial Regex RunbookKey();
}
