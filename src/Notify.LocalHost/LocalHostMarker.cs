namespace Notify.LocalHost;

/// <summary>A public type of this assembly for WebApplicationFactory (the Functions app has a Program too).</summary>
public sealed class LocalHostMarker;
