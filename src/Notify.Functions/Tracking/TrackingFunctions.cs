using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Logging;
using Notify.Core.Activity;
using Notify.Core.Tracking;

namespace Notify.Functions.Tracking;

/// <summary>
/// GET /api/v1/t/o/{token}: the open pixel of a tracked e-mail. Authenticated by the signed token in the URL:
/// a forged or expired token is 404 and writes nothing; a replayed one is served but not counted again.
/// </summary>
public sealed class TrackingPixel(TrackingTokens tokens, TrackingService tracking, ILogger<TrackingPixel> logger)
{
    /// <summary>A transparent 1x1 GIF.</summary>
    private static readonly byte[] Gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    [Function(nameof(TrackingPixel))]
    [EndpointSummary("The open pixel of a tracked e-mail (a transparent GIF); authenticated by the signed token")]
    public async Task<Results<PixelImage, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/t/o/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, TokenKind.Open) is not { } verified)
        {
            return ApiResults.NotFound("Tracking link");
        }
        try
        {
            await tracking.RecordAsync(verified.Delivery, TrackingEventType.Opened, null, "pixel", null, null, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The recipient is owed an image either way; a lost open is logged.
            TrackingLog.RecordFailed(logger, e, verified.Delivery.Id, "opened");
        }
        return PixelImage.Pixel(Gif);
    }
}

/// <summary>
/// GET /api/v1/t/c/{token}: a tracked e-mail link. Authenticated by the signed token, which also carries the
/// target, so it redirects only where the e-mail linked (never an open redirect); forged or expired: 404.
/// </summary>
public sealed class TrackingClick(TrackingTokens tokens, TrackingService tracking, ILogger<TrackingClick> logger)
{
    [Function(nameof(TrackingClick))]
    [EndpointSummary("A tracked e-mail link: redirects to the target the signed token carries")]
    public async Task<Results<TrackingRedirect, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/t/c/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, TokenKind.Click) is not { Target: { } target } verified)
        {
            return ApiResults.NotFound("Tracking link");
        }
        try
        {
            await tracking.RecordAsync(verified.Delivery, TrackingEventType.Clicked, null, "link", TrackedLink.WithoutQuery(target.AbsoluteUri), null, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The recipient must reach the link even when the click cannot be counted.
            TrackingLog.RecordFailed(logger, e, verified.Delivery.Id, "clicked");
        }
        return new TrackingRedirect(target.AbsoluteUri);
    }
}

/// <summary>
/// POST /api/v1/events: an app reports opened, clicked or converted for one of its deliveries (push has no
/// provider receipts). Scope <c>events:write</c> or <c>notifications:read</c>; another app's delivery is 404.
/// </summary>
public sealed class PostEvent(BodyBinder binder, AppEventService events)
{
    public const string EventsWriteScope = Scopes.EventsWrite;

    [Function(nameof(PostEvent))]
    [RequiresScope(EventsWriteScope, Scopes.NotificationsRead)]
    [EndpointSummary("Report an opened, clicked or converted event for one of the calling app's deliveries")]
    [JsonBody(typeof(AppEventBody))]
    public async Task<Results<Accepted<AppEventView>, Ok<AppEventView>, ValidationProblem, NotFoundProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (report, failure) = await binder.BindBodyAsync(request, AppEventReport.Parse, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await events.RecordAsync(app.AppKey, report!, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok when result.Value!.Duplicate => TypedResults.Ok(result.Value),
            ResultKind.Ok => TypedResults.Accepted((string?)null, result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, "Delivery"),
            _ => ApiResults.Conflict(result.Detail),
        };
    }
}

/// <summary>GET /api/v1/stats?template=&amp;channel=&amp;from=&amp;to=: counts and rates per template and channel, across every app of the deployment (templates are shared), so it needs the admin scope.</summary>
public sealed class GetStats(StatsService stats)
{
    [Function(nameof(GetStats))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Counts and rates per template and channel across every app")]
    [QueryParameter("template", "Only this template")]
    [QueryParameter("channel", "Only this channel: push, email or sms")]
    [QueryParameter("from", "First day (yyyy-MM-dd, UTC)")]
    [QueryParameter("to", "Last day (yyyy-MM-dd, UTC)")]
    public async Task<Results<Ok<StatsView>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/stats")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        string? Query(string name) => request.Query[name].ToString() is { Length: > 0 } value ? value : null;
        return Answers.OkOrInvalid(await stats.GetAsync(Query("template"), Query("channel"), Query("from"), Query("to"), cancellationToken));
    }
}

/// <summary>The body of <c>POST /api/v1/events</c>: a <c>deliveryId</c>, or an <c>eventId</c> and <c>userId</c> (and <c>channel</c>, default push).</summary>
public sealed record AppEventBody(string? DeliveryId, string? EventId, string? UserId, Channel? Channel, string Type, DateTimeOffset? At);

/// <summary>
/// 200 with the open pixel. Tracking answers must not be cached: a cached pixel is an open nobody sees.
/// </summary>
public sealed class PixelImage : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private readonly IResult _inner;

    private PixelImage(IResult inner) => _inner = inner;

    public int? StatusCode => StatusCodes.Status200OK;

    public static PixelImage Pixel(byte[] gif) => new(TypedResults.File(gif, "image/gif"));

    public Task ExecuteAsync(HttpContext httpContext) => NoStore.ExecuteAsync(_inner, httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Stream), ["image/gif"]));
}

/// <summary>302 to a tracked link's target, never cached (every click counts).</summary>
public sealed class TrackingRedirect(string url) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status302Found;

    public string Url => url;

    public Task ExecuteAsync(HttpContext httpContext) => NoStore.ExecuteAsync(TypedResults.Redirect(url), httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status302Found, typeof(void)));
}

internal static class NoStore
{
    public static Task ExecuteAsync(IResult inner, HttpContext httpContext)
    {
        httpContext.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate, private";
        httpContext.Response.Headers.Pragma = "no-cache";
        return inner.ExecuteAsync(httpContext);
    }
}

internal static partial class TrackingLog
{
    [LoggerMessage(EventId = 7040, EventName = "TrackingRecordFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the {EventType} event could not be recorded")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string deliveryId, string eventType);
}
