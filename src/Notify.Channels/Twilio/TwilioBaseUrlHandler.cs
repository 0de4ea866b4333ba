namespace Notify.Channels.Twilio;

/// <summary>
/// The Twilio library builds <c>https://api.twilio.com/...</c> itself and has no base-URL option; when
/// <see cref="TwilioOptions.BaseUrl"/> is set (a fake in tests), this sends the same request there instead.
/// </summary>
internal sealed class TwilioBaseUrlHandler(Uri? baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (baseUrl is not null && request.RequestUri is { } original)
        {
            request.RequestUri = new UriBuilder(original)
            {
                Scheme = baseUrl.Scheme,
                Host = baseUrl.Host,
                Port = baseUrl.Port,
                Path = baseUrl.AbsolutePath.TrimEnd('/') + original.AbsolutePath,
            }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
