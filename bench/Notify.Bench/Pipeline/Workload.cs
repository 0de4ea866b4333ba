using System.Collections.Concurrent;
using Notify.Core.Delivery;
using Notify.Core.Users;

namespace Notify.Bench.Pipeline;

/// <summary>
/// What the benchmark sends: one template, users imported through the users batch endpoint (e-mail, phone and one
/// FCM device each, so every channel reaches them: push goes to the FCM provider, or its fake), and notification
/// requests posted to the API.
/// </summary>
public sealed class Workload(ApiApp app, BenchSettings settings)
{
    public const string TemplateJson = """
        {
          "defaultLocale": "en",
          "channels": {
            "email": {
              "subject": "Welcome, {{ data.name }}!",
              "html": "<h1>Welcome, {{ data.name }}</h1><p>Your code is <b>{{ data.code }}</b>.</p>",
              "text": "Welcome, {{ data.name }}. Your code is {{ data.code }}."
            },
            "sms": { "body": "Welcome {{ data.name }}, your code is {{ data.code }}" },
            "push": { "title": "Welcome", "body": "Hi {{ data.name }}, your code is {{ data.code }}", "data": { "code": "{{ data.code }}" } }
          },
          "locales": { "ko": { "sms": { "body": "{{ data.name }}님, 환영합니다. 코드: {{ data.code }}" } } }
        }
        """;

    public static readonly string[] OneChannel = ["email"];
    public static readonly string[] ThreeChannels = ["email", "sms", "push"];

    private readonly ConcurrentDictionary<string, long> _deliveriesByChannel = new(StringComparer.Ordinal);
    private int _events;

    public string Template { get; } = "bench-" + Guid.NewGuid().ToString("N")[..8];

    public string SingleUser => "bu-single";

    /// <summary>Deliveries accepted so far (every one queued), by channel: what each provider must have been called for.</summary>
    public IReadOnlyDictionary<string, long> DeliveriesByChannel => new Dictionary<string, long>(_deliveriesByChannel, StringComparer.Ordinal);

    /// <summary>Counts deliveries sent outside <see cref="SendAsync(HttpClient, IReadOnlyList{string}, IReadOnlyList{string}, CancellationToken)"/> (a digest's one message).</summary>
    public void Delivered(string channel, long count) =>
        _deliveriesByChannel.AddOrUpdate(channel, count, (_, sum) => sum + count);

    /// <summary>The users of set <paramref name="set"/> (0-based), in a stable order.</summary>
    public IReadOnlyList<string> UserSet(int set) =>
        [.. Enumerable.Range(0, settings.UserSetSize).Select(i => $"bu-{set:D2}-{i:D5}")];

    public async Task PutTemplateAsync(CancellationToken cancellationToken)
    {
        using var client = app.NewClient();
        using var content = new StringContent(TemplateJson, Encoding.UTF8, "application/json");
        using var response = await client.PutAsync($"/api/v1/templates/{Template}", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineFailure($"PUT template: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Creates the user set and the single user; returns how many users were written.</summary>
    public async Task<int> CreateUsersAsync(CancellationToken cancellationToken)
    {
        // Imported through the users batch endpoint (POST /api/v1/users/batch, 1,000 users a request), as a service
        // onboarding its users would. The import writes through the store, which drops a user from the host's cache
        // and never adds one: every user here is cold until a request reads it.
        var all = UserSet(0).Concat(UserSet(1)).Concat(UserSet(2).Take(settings.LatencyUsers)).Append(SingleUser).ToList();
        using var client = app.NewClient();
        foreach (var chunk in all.Chunk(Limits.MaxBatchUsers))
        {
            var body = JsonSerializer.Serialize(new
            {
                users = chunk.Select(user => new
                {
                    userId = user,
                    email = $"{user}@example.com",
                    phone = "+15555550100",
                    locale = "en",
                    timeZone = "Europe/Berlin",
                    devices = new[] { new { token = "bench-fcm-" + user, platform = "fcm" } },
                }),
            });
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/api/v1/users/batch", content, cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new PipelineFailure($"The user import answered {(int)response.StatusCode}: {answer}");
            }
            using var result = JsonDocument.Parse(answer);
            if (result.RootElement.GetProperty("invalid").GetInt32() != 0)
            {
                throw new PipelineFailure($"The user import refused some users: {answer}");
            }
        }
        return all.Count;
    }

    /// <summary>
    /// Posts one request and checks the answer: 202, one delivery per (recipient, channel), every one queued
    /// (a skip would change the work measured, so it fails the run).
    /// </summary>
    public async Task<SentRequest> SendAsync(HttpClient client, IReadOnlyList<string> recipients, IReadOnlyList<string> channels, CancellationToken cancellationToken) =>
        await SendAsync(client, recipients, channels, "normal", "4711", cancellationToken);

    /// <summary>
    /// The same with a priority and the template's <c>code</c>: a code used once lets the benchmark find the
    /// provider call this request caused (the fake records the rendered body and when it arrived).
    /// </summary>
    public async Task<SentRequest> SendAsync(HttpClient client, IReadOnlyList<string> recipients, IReadOnlyList<string> channels, string priority, string code, CancellationToken cancellationToken)
    {
        var eventId = $"bench-{Interlocked.Increment(ref _events)}-{Guid.NewGuid():N}";
        var body = JsonSerializer.Serialize(new
        {
            eventId,
            template = Template,
            recipients,
            channels,
            priority,
            data = new { name = "Ann", code },
        });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var postedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/api/v1/notifications", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var latency = clock.Elapsed;
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new PipelineFailure($"POST /api/v1/notifications: {(int)response.StatusCode} {Truncate(text)}");
        }
        using var answer = JsonDocument.Parse(text);
        var deliveries = answer.RootElement.GetProperty("deliveries");
        var expected = recipients.Count * channels.Count;
        var queued = deliveries.EnumerateArray().Count(d => d.GetProperty("status").GetString() == "queued");
        if (deliveries.GetArrayLength() != expected || queued != expected)
        {
            throw new PipelineFailure($"Request {eventId}: expected {expected} queued deliveries, got {deliveries.GetArrayLength()} ({queued} queued): {Truncate(text)}");
        }
        foreach (var channel in channels)
        {
            _deliveriesByChannel.AddOrUpdate(channel, recipients.Count, (_, count) => count + recipients.Count);
        }
        return new SentRequest(RequestIds.For(app.AppKey, eventId), expected, latency, postedAt);
    }

    private static string Truncate(string text) => text.Length <= 400 ? text : text[..400] + "...";
}
