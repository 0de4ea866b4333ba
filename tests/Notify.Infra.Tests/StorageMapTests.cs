using Notify.Storage;

namespace Notify.Infra.Tests;

/// <summary>
/// docs/data.md's map lists every table and queue Notify writes: every name <see cref="StorageNames"/> gives (its
/// string properties, its lists, its per-period table names and its queue constants) is a row of the map, so a new
/// table cannot land without its retention and personal data written down.
/// </summary>
public sealed partial class StorageMapTests(InfraFixture infra)
{
    private const string MapHeading = "## The map: every table and queue";

    [Fact]
    public void Every_table_and_queue_the_code_names_is_listed_in_the_data_map()
    {
        var listed = MapNames(File.ReadAllLines(Path.Combine(infra.RepoRoot, "docs", "data.md")));
        Assert.True(listed.Count >= 20, $"docs/data.md's map lists {listed.Count} names: is the section '{MapHeading}' there?");

        var missing = CodeNames().Where(name => !listed.Any(pattern => pattern.IsMatch(name))).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0,
            "The code names tables or queues that docs/data.md's map does not list (add a row for each to the table under '"
            + MapHeading + "': what a row holds, keys, personal data, who reads it, retention): "
            + string.Join(", ", missing));
    }

    [Fact]
    public void The_map_reader_sees_a_listed_name_and_misses_an_unlisted_one()
    {
        string[] page = [MapHeading, "", "| table / queue | holds |", "|---|---|", "| `NotifyA`, `NotifyB{yyyyMMdd}` | x |", "| `notify-q` | y |", "", "## Next", "| `NotifyC` | z |"];
        var listed = MapNames(page);

        Assert.Contains(listed, p => p.IsMatch("NotifyA"));
        Assert.Contains(listed, p => p.IsMatch("NotifyB20261207"));
        Assert.Contains(listed, p => p.IsMatch("notify-q"));
        Assert.DoesNotContain(listed, p => p.IsMatch("NotifyC"));
        Assert.DoesNotContain(listed, p => p.IsMatch("NotifyB"));
    }

    [Fact]
    public void The_names_read_from_the_code_include_every_kind_of_name()
    {
        var names = CodeNames();

        Assert.Contains("NotifyDeliveries", names);
        Assert.Contains("NotifyRates20261207", names);
        Assert.Contains("notify-email-poison", names);
        Assert.Contains(names, n => n.StartsWith("Notify", StringComparison.Ordinal) && n.Length > "Notify".Length);
    }

    /// <summary>Every name <see cref="StorageNames"/> gives without a prefix, by reflection, so a new property is seen.</summary>
    private static HashSet<string> CodeNames()
    {
        var names = new StorageNames("");
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in typeof(StorageNames).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            switch (property.GetValue(names))
            {
                case string name when property.Name != nameof(StorageNames.Prefix):
                    found.Add(name);
                    break;
                case IEnumerable<string> list:
                    found.UnionWith(list);
                    break;
            }
        }
        foreach (var field in typeof(StorageNames).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            switch (field.GetValue(null))
            {
                case string queue when field.Name.EndsWith("Queue", StringComparison.Ordinal):
                    found.Add(queue);
                    break;
                case IEnumerable<string> list:
                    found.UnionWith(list);
                    break;
            }
        }
        // Per-period tables: a method from a time to a name.
        var day = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        foreach (var method in typeof(StorageNames).GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.ReturnType == typeof(string) && method.GetParameters() is [{ ParameterType: var p }] && p == typeof(DateTimeOffset))
            {
                found.Add((string)method.Invoke(names, [day])!);
            }
        }
        return found;
    }

    /// <summary>The names in backticks in the first column of the map's table; <c>{yyyyMMdd}</c> and the like match digits.</summary>
    private static List<Regex> MapNames(IReadOnlyList<string> lines)
    {
        var start = lines.ToList().FindIndex(l => l.Trim() == MapHeading);
        if (start < 0)
        {
            return [];
        }
        var patterns = new List<Regex>();
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            if (!line.StartsWith('|'))
            {
                continue;
            }
            var first = line.Split('|')[1];
            foreach (Match m in Code().Matches(first))
            {
                var pattern = Placeholder().Replace(Regex.Escape(m.Groups[1].Value), p => $"[0-9]{{{p.Length - 3}}}");
                patterns.Add(new Regex("^" + pattern + "$", RegexOptions.CultureInvariant));
            }
        }
        return patterns;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    // Regex.Escape turns "{yyyyMMdd}" into "\{yyyyMMdd}": a brace, letters, a brace.
    [GeneratedRegex(@"\\\{[A-Za-z]+\}")]
    private static partial Regex Placeholder();
}
