using System.Text.Json.Serialization;

namespace Notify.Client.Http;

/// <summary>The API's JSON: camelCase names, enums as their lower-case names, absent instead of null.</summary>
internal static class NotifyJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
