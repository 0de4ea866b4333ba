using BenchmarkDotNet.Attributes;
using Notify.Core.Delivery;
using Notify.Core.Notifications;
using Notify.Core.Validation;

namespace Notify.Bench.Micro;

/// <summary>Request validation at ingest (1 and 1,000 recipients), the request's fingerprint, and a queue message's JSON.</summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private JsonDocument _one = null!;
    private JsonDocument _thousand = null!;
    private NotificationRequest _parsedThousand = null!;
    private DeliveryMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _one = JsonDocument.Parse(Body(1));
        _thousand = JsonDocument.Parse(Body(1_000));
        _parsedThousand = NotificationRequest.Parse(_thousand.RootElement, new ValidationErrors())
            ?? throw new InvalidOperationException("The 1,000-recipient body does not validate.");
        _message = new DeliveryMessage("abcdefghijklmnopqrstuvwx", 17, "W/\"datetime'2025-01-01T00%3A00%3A00.0000000Z'\"", 1, Channel.Email, "bu-00-00017")
        {
            Address = "bu-00-00017@example.com",
            Locale = "en",
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _one.Dispose();
        _thousand.Dispose();
    }

    [Benchmark(Description = "validate request, 1 recipient")]
    public NotificationRequest? Validate1() => NotificationRequest.Parse(_one.RootElement, new ValidationErrors());

    [Benchmark(Description = "validate request, 1,000 recipients")]
    public NotificationRequest? Validate1000() => NotificationRequest.Parse(_thousand.RootElement, new ValidationErrors());

    [Benchmark(Description = "body hash, 1,000 recipients")]
    public string BodyHash1000() => _parsedThousand.BodyHash();

    [Benchmark(Description = "queue message to JSON")]
    public string SerializeMessage() => JsonSerializer.Serialize(_message, QueueJson.Options);

    private static string Body(int recipients) => JsonSerializer.Serialize(new
    {
        eventId = "order-4711-shipped",
        template = "bench",
        recipients = Enumerable.Range(0, recipients).Select(i => $"user-{i:D6}"),
        channels = new[] { "email", "push" },
        data = new { name = "Ann", code = "4711", order = new { id = 4711, items = new[] { "book", "pen" } } },
    });
}
