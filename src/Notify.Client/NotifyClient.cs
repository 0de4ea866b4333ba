using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Notify.Client;

/// <summary>
/// The client for one Notify service, authenticated as one app. Thread-safe: create one and share it (or take it
/// from DI with <c>services.AddNotifyClient()</c>). Every method throws <see cref="NotifyRequestException"/> for an
/// answer other than success, after the retries that are safe for that call.
/// </summary>
public partial class NotifyClient
{
    private readonly Func<HttpClient> _http = null!;
    private readonly Uri _endpoint = null!;
    private readonly AuthenticationHeaderValue _authorization = null!;

    /// <summary>For mocking: a client made this way has no endpoint and every call fails.</summary>
    protected NotifyClient()
    {
    }

    /// <summary>
    /// A client with its own connection pool and the retry pipeline of <paramref name="options"/>; prefer
    /// <c>services.AddNotifyClient()</c> in an app with DI.
    /// </summary>
    /// <param name="endpoint">The service's base address, such as <c>https://notify.example.com</c> (the <c>/api/v1/...</c> routes are added).</param>
    /// <param name="credential">The app key and secret.</param>
    /// <param name="options">Retries and timeouts; defaults when null.</param>
    public NotifyClient(Uri endpoint, NotifyCredential credential, NotifyClientOptions? options = null)
        : this(endpoint, credential, CreateHttpClient(options ?? new NotifyClientOptions()))
    {
    }

    private NotifyClient(Uri endpoint, NotifyCredential credential, HttpClient http)
        : this(endpoint, credential, () => http)
    {
    }

    /// <summary>For DI: a fresh <see cref="HttpClient"/> per call from the factory, whose handlers carry the retries.</summary>
    internal NotifyClient(Uri endpoint, NotifyCredential credential, Func<HttpClient> http)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException("The endpoint must be an absolute URI.", nameof(endpoint));
        }
        // A base path (https://host/notify) is kept: relative routes resolve under it only with a trailing slash.
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _http = http;
        _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.AppKey}:{credential.AppSecret}")));
    }

    /// <summary>Names the client and its version in every request, so the service's logs can tell callers' SDK versions apart.</summary>
    private static readonly ProductInfoHeaderValue UserAgent = new(
        "Notify.Client",
        (typeof(NotifyClient).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0").Split('+')[0]);

    /// <summary>The service's base address.</summary>
    public virtual Uri Endpoint => _endpoint;

    private static HttpClient CreateHttpClient(NotifyClientOptions options)
    {
        var transport = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var handler = NotifyResilience.CreateHandler(options, transport);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Sends one operation and reads its JSON answer; any other answer becomes a <see cref="NotifyRequestException"/>.</summary>
    internal async Task<TResponse> SendAsync<TResponse>(
        NotifyOperation operation,
        IReadOnlyDictionary<string, string>? pathValues,
        IReadOnlyDictionary<string, string>? query,
        object? body,
        CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(operation, pathValues, query, body, cancellationToken).ConfigureAwait(false);
        var value = await response.Content.ReadFromJsonAsync<TResponse>(NotifyJson.Options, cancellationToken).ConfigureAwait(false);
        return value ?? throw new NotifyRequestException((int)response.StatusCode, null, "Empty answer", $"{operation.Name} answered without a body.", null, null);
    }

    /// <summary>Like <see cref="SendAsync{TResponse}"/> for an answer without a body (204).</summary>
    internal async Task SendNoContentAsync(
        NotifyOperation operation,
        IReadOnlyDictionary<string, string>? pathValues,
        CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(operation, pathValues, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one operation and copies its answer's body to <paramref name="destination"/>.</summary>
    internal async Task CopyToAsync(
        NotifyOperation operation,
        IReadOnlyDictionary<string, string>? pathValues,
        Stream destination,
        CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(operation, pathValues, null, null, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(
        NotifyOperation operation,
        IReadOnlyDictionary<string, string>? pathValues,
        IReadOnlyDictionary<string, string>? query,
        object? body,
        CancellationToken cancellationToken)
    {
        if (_http is null)
        {
            throw new InvalidOperationException("This NotifyClient was made with the parameterless constructor (for mocking) and cannot send.");
        }
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), new Uri(_endpoint, operation.Path(pathValues, query)));
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(UserAgent);
        if (body is not null)
        {
            // Serialized once: every retry sends exactly these bytes (the send's eventId included).
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), NotifyJson.Options);
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        request.Options.Set(NotifyResilience.RetryKey, operation.Retry);
        var response = await _http().SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await NotifyRequestException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> Values(params (string Name, string Value)[] values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            ArgumentException.ThrowIfNullOrEmpty(value, name);
            result[name] = value;
        }
        return result;
    }
}
