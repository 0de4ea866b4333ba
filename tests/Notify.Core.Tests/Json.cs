using System.Text.Json;

namespace Notify.Core.Tests;

internal static class Json
{
    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
