using System.Diagnostics;

namespace Notify.IntegrationTests.Reliability;

/// <summary>Storage goes away mid-run and comes back (on-disk Azurite, stopped and restarted on the same ports).</summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class StorageRestartTests
{
    private static void StopGracefully(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        if (!process.WaitForExit(5_000))
        {
            Azurite.Stop(process);
        }
    }

    [Fact]
    public async Task Storage_restart_mid_run_loses_nothing()
    {
        var location = Path.Combine(Path.GetTempPath(), "notify-azurite-" + Guid.NewGuid().ToString("N"));
        int[] ports = [Azurite.FreePort(), Azurite.FreePort(), Azurite.FreePort()];
        var (azurite, connection) = Azurite.Start(inMemory: false, location, ports);
        try
        {
            await using var faults = await FaultHost.StartAsync(connection);
            var api = await faults.Host.NewAppAsync();
            var template = await api.NewTemplateAsync();
            var users = await faults.UsersAsync(100);
            var sends = Enumerable.Range(0, 3)
                .Select(_ => FaultHost.SendUntilAcceptedAsync(api, $"restart-{Guid.NewGuid():N}", template, users, TimeSpan.FromSeconds(90)))
                .ToList();
            await Eventually.TrueAsync(() => Task.FromResult(faults.Provider.Accepted.Count > 0), "deliveries under way", TimeSpan.FromSeconds(90));
            StopGracefully(azurite);
            // Down until the host has felt it: its storage calls (queue polls, log writes) keep failing meanwhile.
            var counter = faults.Host.Service<StorageOperationCounter>();
            var atStop = counter.Total;
            await Eventually.TrueAsync(() => Task.FromResult(counter.Total >= atStop + 10), "ten storage calls while Azurite is down");
            (azurite, _) = Azurite.Start(inMemory: false, location, ports);

            var ids = (await Task.WhenAll(sends)).SelectMany(b => b["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())).ToList();
            var report = await faults.SettleAsync("Azurite stopped mid-run for ten storage calls and restarted", ids, TimeSpan.FromSeconds(120));

            Assert.Equal(300, report.Accepted);
            Assert.Equal(0, report.Lost);
            Assert.Equal(300, report.Statuses["sent"]);
        }
        finally
        {
            Azurite.Stop(azurite);
            try
            {
                Directory.Delete(location, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the emulator's last write; the OS temp cleaner takes it.
            }
        }
    }
}
