using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace Notify.Client.Tests;

/// <summary>This project runs against the packed Notify.Client, and the package carries what a consumer needs.</summary>
public sealed class PackageTests
{
    private static string Version =>
        typeof(NotifyClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public void The_client_comes_from_the_package_not_from_a_project_reference()
    {
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Notify.Client.Tests.deps.json")))!;

        var library = deps["libraries"]![$"Notify.Client/{Version}"];

        Assert.NotNull(library);
        Assert.Equal("package", library!["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_package_has_a_readme_xml_docs_and_the_repository_commit()
    {
        var path = Path.Combine(TestStorage.RepositoryRoot(), "artifacts", "packages", $"Notify.Client.{Version}.nupkg");
        using var package = ZipFile.OpenRead(path);
        var nuspec = XDocument.Load(package.GetEntry("Notify.Client.nuspec")!.Open());
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal(Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.NotNull(package.GetEntry("README.md"));
        Assert.NotNull(package.GetEntry("lib/net10.0/Notify.Client.xml"));
        Assert.Matches("^[0-9a-f]{40}$", metadata.Element(ns + "repository")!.Attribute("commit")!.Value);
    }
}
