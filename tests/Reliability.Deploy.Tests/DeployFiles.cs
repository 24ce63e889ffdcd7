using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reliability.Deploy.Tests;

/// <summary>The repository's deploy/ files and the README's configuration table, read from the checkout.</summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>Every document of a YAML file (Kubernetes manifests hold several).</summary>
    public static IReadOnlyList<YamlMappingNode> ReadYaml(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Read(relativePath));
        // Compose files share a silo's definition through YAML merge keys (<<: *silo); resolve them as Compose does.
        stream.Load(new MergingParser(new Parser(reader)));
        return [.. stream.Documents.Select(document => (YamlMappingNode)document.RootNode)];
    }

    /// <summary>
    /// The configuration keys the README documents, in <c>:</c> form. A row may name siblings after the
    /// first key (<c>`Reliability:Orleans:SiloPort` / `GatewayPort`</c>) or a whole section (<c>:*</c>).
    /// </summary>
    public static IReadOnlySet<string> DocumentedKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var table = Read("README.md").Split("## Configuration")[1].Split("\n## ")[0];
        foreach (var row in table.Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal)))
        {
            var parent = "";
            foreach (Match name in CodeSpan().Matches(row.Split(" | ")[0]))
            {
                var key = name.Groups[1].Value;
                if (key.Contains(':', StringComparison.Ordinal))
                {
                    keys.Add(key);
                    parent = key[..key.LastIndexOf(':')];
                }
                else if (parent.Length > 0)
                {
                    keys.Add(parent + ":" + key);
                }
            }
        }

        return keys;
    }

    /// <summary>Whether an environment variable's name is a documented key (arrays: <c>Key__0</c>).</summary>
    public static bool IsDocumented(string environmentName, IReadOnlySet<string> documented)
    {
        var key = ArrayIndex().Replace(environmentName, "").Replace("__", ":", StringComparison.Ordinal);
        return documented.Contains(key)
            || documented.Any(d => d.EndsWith(":*", StringComparison.Ordinal) && key.StartsWith(d[..^1], StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Settings the .NET host and the OpenTelemetry SDK read themselves, not the service's own keys.</summary>
    public static bool IsPlatformSetting(string name) =>
        name.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        || name.StartsWith("DOTNET_", StringComparison.Ordinal)
        || name.StartsWith("OTEL_", StringComparison.Ordinal);

    public static string Scalar(this YamlNode node, params string[] path) => ((YamlScalarNode)node.Child(path)).Value!;

    public static YamlNode Child(this YamlNode node, params string[] path)
    {
        foreach (var step in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(step)];
        }

        return node;
    }

    public static IEnumerable<YamlNode> Items(this YamlNode node) => ((YamlSequenceNode)node).Children;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode node) =>
        ((YamlMappingNode)node).Children.Select(entry => (((YamlScalarNode)entry.Key).Value!, entry.Value));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Reliability.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests run from inside the repository, below Reliability.sln.");
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("(__[0-9]+)+$")]
    private static partial Regex ArrayIndex();
}
