using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Notify.Client.Http;

namespace Notify.Client.Tests;

/// <summary>
/// Which answers the client repeats, against a scripted Kestrel server on 127.0.0.1 (the service cannot be made to
/// answer 503 or an in-progress 409 on demand). The LocalHost's own 429 is in <see cref="QuotaRetryTests"/>.
/// </summary>
public sealed class RetryTests : IAsyncLifetime
{
    private const string InProgressTitle = "In progress";
    private WebApplication _server = null!;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<string> _userAgents = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            _bodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
            _userAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
            if (!_script.TryDequeue(out var answer))
            {
                answer = c => Results.Problem(statusCode: 418, title: "Script exhausted").ExecuteAsync(c);
            }
            await answer(context);
        });
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private NotifyClient Client(NotifyClientOptions? options = null) => new(
        new Uri(_server.Urls.First()),
        new NotifyCredential("app", "secret"),
        options ?? new NotifyClientOptions { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromSeconds(2) });

    private void Then(int status, string? title = null, string? type = null, string? retryAfter = null) =>
        _script.Enqueue(context =>
        {
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }
            return Results.Problem(statusCode: status, title: title, type: type).ExecuteAsync(context);
        });

    private void ThenAccepted() => _script.Enqueue(context =>
    {
        var eventId = JsonNode.Parse(_bodies.Last())!["eventId"]!.GetValue<string>();
        return Results.Json(new { eventId, duplicate = false, deliveries = Array.Empty<object>() }, statusCode: 202).ExecuteAsync(context);
    });

    private static SendNotificationRequest Send() => new("welcome", ["user-1"]);

    [Fact]
    public async Task A_send_is_retried_on_5xx_and_429_with_one_generated_event_id_for_every_attempt()
    {
        Then(503);
        Then(429, retryAfter: "0");
        Then(500);
        ThenAccepted();

        var result = await Client().SendNotificationAsync(Send(), Ct);

        var eventIds = _bodies.Select(b => JsonNode.Parse(b)!["eventId"]!.GetValue<string>()).ToList();
        Assert.Equal(4, eventIds.Count);
        Assert.Single(eventIds.Distinct());
        Assert.Equal(eventIds[0], result.EventId);
        Assert.All(_userAgents, ua => Assert.StartsWith("Notify.Client/", ua, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(InProgressTitle, null)]
    [InlineData("Request in progress", "https://notify.example/problems/in-progress")]
    public async Task A_send_is_retried_on_the_in_progress_409_by_title_or_by_problem_type(string title, string? type)
    {
        Then(409, title, type);
        ThenAccepted();

        var result = await Client().SendNotificationAsync(Send() with { EventId = "evt-1" }, Ct);

        Assert.Equal("evt-1", result.EventId);
        Assert.Equal(2, _bodies.Count);
    }

    [Theory]
    [InlineData(400, null)]
    [InlineData(401, null)]
    [InlineData(403, null)]
    [InlineData(409, "eventId already used")]
    public async Task A_send_is_not_retried_on_a_client_error_or_the_body_mismatch_409(int status, string? title)
    {
        Then(status, title);
        ThenAccepted();

        var error = await Assert.ThrowsAsync<NotifyRequestException>(() => Client().SendNotificationAsync(Send(), Ct));

        Assert.Equal(status, error.Status);
        Assert.Single(_bodies);
    }

    [Fact]
    public async Task The_in_progress_409_is_not_retried_for_a_call_that_is_not_keyed_by_event_id()
    {
        Then(409, InProgressTitle);

        var error = await Assert.ThrowsAsync<NotifyRequestException>(() => Client().GetUserAsync("user-1", Ct));

        Assert.True(error.IsInProgress);
        Assert.Single(_bodies);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        _script.Enqueue(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        ThenAccepted();
        var options = new NotifyClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(300), RetryDelay = TimeSpan.FromMilliseconds(10) };

        var result = await Client(options).SendNotificationAsync(Send(), Ct);

        Assert.Equal(2, _bodies.Count);
        Assert.False(result.Duplicate);
    }

    [Fact]
    public async Task After_the_last_retry_the_service_error_surfaces()
    {
        for (var i = 0; i < 3; i++)
        {
            Then(503, "Unavailable");
        }

        var error = await Assert.ThrowsAsync<NotifyRequestException>(() =>
            Client(new NotifyClientOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }).GetUserAsync("user-1", Ct));

        Assert.Equal(503, error.Status);
        Assert.Equal("Unavailable", error.Title);
        Assert.Equal(3, _bodies.Count);
    }

    [Theory]
    [InlineData(500, "Idempotent", null, null, true)]
    [InlineData(503, "IdempotentByEventId", null, null, true)]
    [InlineData(429, "Idempotent", null, null, true)]
    [InlineData(408, "Idempotent", null, null, true)]
    [InlineData(500, "None", null, null, false)]
    [InlineData(400, "IdempotentByEventId", null, null, false)]
    [InlineData(404, "Idempotent", null, null, false)]
    [InlineData(409, "IdempotentByEventId", "https://tools.ietf.org/html/rfc9110#section-15.5.10", "In progress", true)]
    [InlineData(409, "IdempotentByEventId", "urn:notify:problem:in-progress", "Still processing", true)]
    [InlineData(409, "IdempotentByEventId", "https://tools.ietf.org/html/rfc9110#section-15.5.10", "eventId already used", false)]
    [InlineData(409, "Idempotent", null, "In progress", false)]
    public void Retry_classification(int status, string mode, string? type, string? title, bool retried) =>
        Assert.Equal(retried, NotifyResilience.ShouldRetry(status, Enum.Parse<RetryMode>(mode), type, title));
}
