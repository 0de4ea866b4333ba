using System.Net;
using Notify.Core.Inbox;

namespace Notify.LocalHost;

/// <summary>
/// The local run's inbox demo (docs/inbox.md, "The component"), LocalHost only and only with the demo seeded: a
/// product-like page at <c>/dev/inbox/</c> with the <c>&lt;notify-inbox&gt;</c> bell for the demo user, and the
/// endpoint its token provider calls, <c>POST /dev/inbox/token</c>, which plays the product's backend: it issues the
/// demo user's token as <c>POST /api/v1/inbox/tokens</c> would for the demo app (the secret stays on the server).
/// </summary>
public static class InboxDemoEndpoint
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static void MapInboxDemo(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value;
        if (!settings.SeedDemo)
        {
            return;
        }
        app.MapGet("/dev/inbox/{file?}", (HttpContext context, string? file) =>
        {
            if (string.IsNullOrEmpty(file) && !context.Request.Path.Value!.EndsWith('/'))
            {
                // The page's links are relative to its folder: /dev/inbox becomes /dev/inbox/.
                return Results.Redirect(context.Request.PathBase + "/dev/inbox/", permanent: true);
            }
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-cache";
            return (file ?? "") switch
            {
                "" => Results.Content(Page(context, settings), "text/html; charset=utf-8"),
                "demo.js" => Results.Content(Script, "text/javascript; charset=utf-8"),
                "demo.css" => Results.Content(Style, "text/css; charset=utf-8"),
                _ => Results.NotFound(),
            };
        }).ExcludeFromDescription();
        app.MapPost("/dev/inbox/token", (InboxTokens tokens) =>
        {
            if (!tokens.Enabled)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Inbox tokens are not configured", detail: "Set Notify:Inbox:SigningKey (scripts/run-local.sh sets one).");
            }
            var token = tokens.Issue(DemoSeeder.UserId, settings.DemoAppKey);
            return Results.Ok(new { token = tokens.Write(token), expiresAt = token.ExpiresAt });
        }).ExcludeFromDescription();
    }

    /// <summary>The curl that makes an item appear in the demo user's bell (also printed by scripts/run-local.sh).</summary>
    public static string Curl(string baseUrl, string appKey) =>
        $$$"""
        curl -u {{{appKey}}}:$NOTIFY_DEMO_APP_SECRET -H 'Content-Type: application/json' \
          {{{baseUrl}}}/api/v1/notifications \
          -d '{"eventId":"inbox-'"$(date +%s)"'","template":"welcome","recipients":["demo-user"],"channels":["inbox"],"data":{"name":"Ann","code":"4711"}}'
        """;

    private static string Page(HttpContext context, LocalHostOptions settings)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        var curl = WebUtility.HtmlEncode(Curl(baseUrl, settings.DemoAppKey));
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Notify inbox demo</title>
              <link rel="icon" href="data:,">
              <link rel="stylesheet" href="demo.css">
              <script src="demo.js"></script>
              <script src="{{context.Request.PathBase}}/api/v1/inbox/element.js"></script>
            </head>
            <body>
              <header class="bar">
                <span class="brand">Acme</span>
                <nav aria-label="Product"><a href="#">Projects</a> <a href="#">Reports</a></nav>
                <notify-inbox token-provider="notifyDemoToken"></notify-inbox>
              </header>
              <main>
                <h1>The in-app inbox, for the demo user</h1>
                <p>The bell above is <code>&lt;notify-inbox&gt;</code>, loaded from Notify with one script tag, showing the
                inbox of <code>{{DemoSeeder.UserId}}</code>. This page's token provider calls <code>POST /dev/inbox/token</code>,
                which stands in for your backend: it issues the user's token as <code>POST /api/v1/inbox/tokens</code> does.</p>
                <p>Send the demo user an inbox notification and watch the bell (<code>scripts/run-local.sh</code> prints this
                command with the demo app's secret filled in; here, set <code>NOTIFY_DEMO_APP_SECRET</code> to it first):</p>
                <pre><code>{{curl}}</code></pre>
                <p>Then open the bell: open an item to mark it read, archive it, or mark all as read.</p>
              </main>
            </body>
            </html>
            """;
    }

    private const string Script = """
        // The demo's token provider: the page asks its own backend (here the LocalHost) for the signed-in user's token.
        window.notifyDemoToken = async () => {
          const response = await fetch('token', { method: 'POST', headers: { Accept: 'application/json' } });
          if (!response.ok) throw new Error('token: HTTP ' + response.status);
          return response.json();
        };
        """;

    private const string Style = """
        body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f6f7f9; }
        .bar { display: flex; align-items: center; gap: 24px; padding: 8px 24px; background: #ffffff; border-bottom: 1px solid #d0d4da; }
        .brand { font-weight: 700; font-size: 18px; }
        nav { flex: 1; display: flex; gap: 16px; }
        nav a { color: #0b57d0; }
        main { max-width: 760px; margin: 24px auto; padding: 0 24px; }
        pre { background: #ffffff; border: 1px solid #d0d4da; padding: 12px; overflow-x: auto; white-space: pre-wrap; }
        """;
}
