namespace Notify.Client;

/// <summary>
/// The service answered a call with an error (after any retries): the HTTP status and, from its
/// <c>application/problem+json</c> body, the problem type, title, detail and every invalid field.
/// </summary>
public class NotifyRequestException : Exception
{
    /// <summary>For a model factory or a mock.</summary>
    public NotifyRequestException(int status, string? errorCode, string? title, string? detail, IReadOnlyDictionary<string, string[]>? errors, TimeSpan? retryAfter)
        : base(MessageFor(status, title, detail, errors))
    {
        Status = status;
        ErrorCode = errorCode;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status, such as 400, 404, 409 or 429.</summary>
    public int Status { get; }

    /// <summary>The problem's <c>type</c> URI, which tells problems of one status apart.</summary>
    public string? ErrorCode { get; }

    /// <summary>The problem's <c>title</c>, such as "The request is invalid" or "eventId already used".</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>detail</c>.</summary>
    public string? Detail { get; }

    /// <summary>For a 400: every invalid field by its JSON path (<c>recipients[2]</c>, <c>users[17].phone</c>) and what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The <c>Retry-After</c> of a 429 or 503, when the service sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>A 409 saying that a send with the same eventId is still being processed: repeat it later.</summary>
    public bool IsInProgress => Status == 409 && NotifyResilience.IsInProgress(ErrorCode, Title);

    internal static async Task<NotifyRequestException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemBody? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                // As bytes: the retry policy may have read this body already.
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                problem = JsonSerializer.Deserialize<ProblemBody>(bytes, NotifyJson.Options);
            }
            catch (JsonException)
            {
                // Not a problem document after all: the status alone has to do.
            }
        }
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return new NotifyRequestException(
            (int)response.StatusCode,
            problem?.Type,
            problem?.Title ?? response.ReasonPhrase,
            problem?.Detail,
            problem?.Errors,
            retryAfter);
    }

    private static string MessageFor(int status, string? title, string? detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        var message = $"Notify answered {status}{(title is null ? "" : $" ({title})")}{(detail is null ? "" : $": {detail}")}";
        if (errors is { Count: > 0 })
        {
            message += " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        }
        return message;
    }
}

/// <summary>An RFC 9457 problem document as the service writes it.</summary>
internal sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);
